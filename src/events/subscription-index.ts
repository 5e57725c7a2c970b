/**
 * A multimap from (event package, key) to subscriptions, shaped for the
 * common case of ONE subscription per key: the entry then holds the
 * subscription itself, and only a second one turns it into a Set. The key
 * strings are the subscriptions' own (no `event + key` string per entry).
 * At 100,000 held subscriptions a Set per resource and per subscriber, with
 * concatenated keys, cost about 500 bytes each (bench/mwi/README.md).
 */
export class SubscriptionIndex<S> {
  private readonly byEvent = new Map<string, Map<string, S | Set<S>>>();

  /** The subscriptions filed under (event, key); empty when none. */
  get(event: string, key: string): Iterable<S> {
    const v = this.byEvent.get(event)?.get(key);
    if (v === undefined) return [];
    return v instanceof Set ? v : [v];
  }

  add(event: string, key: string, s: S): void {
    let m = this.byEvent.get(event);
    if (!m) this.byEvent.set(event, (m = new Map()));
    const v = m.get(key);
    if (v === undefined) m.set(key, s);
    else if (v instanceof Set) v.add(s);
    else if (v !== s) m.set(key, new Set([v, s]));
  }

  delete(event: string, key: string, s: S): void {
    const m = this.byEvent.get(event);
    const v = m?.get(key);
    if (v === undefined || !m) return;
    if (v === s) {
      m.delete(key);
    } else if (v instanceof Set && v.delete(s)) {
      // Back to the single form when one is left.
      if (v.size === 1) m.set(key, v.values().next().value as S);
    }
  }
}
