/**
 * Things that arrive over time (SIP messages on a socket, baresip events):
 * kept in order, and waited for by a predicate with a bound.
 */
export class Arrivals<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  push(item: T): void {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first item matching `pred` (already here or within `timeoutMs`), else undefined. */
  async first(pred: (item: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.items.find(pred);
      if (hit !== undefined || Date.now() >= deadline) return hit;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Ask `fn` every `stepMs` until it gives something (not undefined), at most `timeoutMs`; then undefined. */
export async function poll<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  stepMs = 100,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
