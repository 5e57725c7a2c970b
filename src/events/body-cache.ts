/**
 * Notification bodies shared by the subscriptions of one resource, keyed by
 * resource and stamped with the state they were made from.
 *
 * Two things keep it small (without them, body caches were the largest
 * part of a held subscription in heap snapshots):
 * - a body is copied into a Buffer of its own: a small `Buffer.from` is cut
 *   from an 8 KB pool slab, and one kept body keeps its whole slab alive;
 * - at most `maxEntries` are kept (the oldest go first): a body only saves
 *   work when several subscriptions of one resource get the same state.
 */
export class BodyCache<Stamp> {
  private readonly map = new Map<string, { stamp: Stamp; body: Buffer }>();

  constructor(
    private readonly same: (a: Stamp, b: Stamp) => boolean,
    private readonly maxEntries = 2048,
  ) {}

  /** The cached body of `key` for `stamp`, or a new one made by `make`. */
  get(key: string, stamp: Stamp, make: () => string): Buffer {
    const hit = this.map.get(key);
    if (hit && this.same(hit.stamp, stamp)) return hit.body;
    const text = make();
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    body.write(text);
    if (hit) this.map.delete(key);
    else if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { stamp, body });
    return body;
  }

  get size(): number {
    return this.map.size;
  }
}
