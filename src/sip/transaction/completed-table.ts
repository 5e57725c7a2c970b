import type { Clock, TimerHandle } from './clock.js';

/**
 * What is left of non-INVITE transactions on an unreliable transport once
 * they reached "Completed": a key and one string, kept for at least
 * `lifetimeMs` (Timer J = 64*T1 for a server, RFC 3261 17.2.2; Timer K =
 * T4 for a client, 17.1.2.2), in generations of maps that are dropped
 * whole.
 *
 * Why not keep the machines: a Completed machine is an object, three
 * closures and a Node timer; at 6,000 requests per second Timer J keeps
 * 200,000 of them alive, which filled the old generation, made major GC
 * pauses the MWI benchmark's p99 (60-130 ms) and left hundreds of
 * megabytes of RSS behind (bench/mwi/README.md). Here a Completed server
 * transaction is its key and its final response's bytes as a latin1
 * string, and expiry is one timer per generation, not per transaction.
 *
 * An entry lives between `lifetimeMs` and `lifetimeMs * (1 + 1/slices)`:
 * never less than the RFC's timer; a retransmission arriving in the extra
 * part is answered as it would have been a moment before.
 */
export class CompletedTable {
  /** gens[0] takes new entries; the last one goes next. */
  private gens: Map<string, string>[] = [new Map()];
  private timer: TimerHandle | undefined;
  private readonly periodMs: number;

  constructor(private readonly clock: Clock, lifetimeMs: number, private readonly slices = 4) {
    this.periodMs = Math.max(1, Math.ceil(lifetimeMs / slices));
  }

  /** Entries held (some may be past their lifetime, up to one period). */
  get size(): number {
    let n = 0;
    for (const g of this.gens) n += g.size;
    return n;
  }

  add(key: string, value: string): void {
    (this.gens[0] as Map<string, string>).set(key, value);
    this.timer ??= this.clock.setTimeout(this.rotate, this.periodMs);
  }

  get(key: string): string | undefined {
    for (const g of this.gens) {
      const v = g.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.gens = [new Map()];
  }

  private readonly rotate = (): void => {
    this.timer = undefined;
    this.gens.unshift(new Map());
    if (this.gens.length > this.slices + 1) this.gens.pop();
    if (this.size > 0) this.timer = this.clock.setTimeout(this.rotate, this.periodMs);
    else this.gens = [new Map()];
  };
}
