import type { Clock, TimerHandle } from '../../base/clock.js';

/** Where a kept response goes again: a UDP address and port. */
export interface CompletedDestination {
  address: string;
  port: number;
}

/** Bytes per slab: above glibc's mmap threshold, so a dropped generation's slabs go back to the OS at once. */
const SLAB_BYTES = 256 * 1024;
/** Entry header: 2 bytes length, 2 bytes port, 1 byte address length. */
const HEADER = 5;

/** One generation: keys -> slab index * SLAB_BYTES + offset, and the slabs holding the entries. */
class Generation {
  readonly index = new Map<string, number>();
  readonly slabs: Buffer[] = [];
  private used = SLAB_BYTES;

  add(key: string, dest: CompletedDestination, bytes: Buffer): void {
    const need = HEADER + Buffer.byteLength(dest.address, 'latin1') + bytes.length;
    if (need > SLAB_BYTES || bytes.length > 0xffff) return; // beyond any SIP message over UDP: not kept
    if (this.used + need > SLAB_BYTES) {
      this.slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.used = 0;
    }
    const slab = this.slabs[this.slabs.length - 1] as Buffer;
    const at = this.used;
    slab.writeUInt16BE(bytes.length, at);
    slab.writeUInt16BE(dest.port, at + 2);
    const addrLen = slab.write(dest.address, at + HEADER, 'latin1');
    slab.writeUInt8(addrLen, at + 4);
    bytes.copy(slab, at + HEADER + addrLen);
    this.used = at + HEADER + addrLen + bytes.length;
    this.index.set(key, (this.slabs.length - 1) * SLAB_BYTES + at);
  }

  get(key: string): { dest: CompletedDestination; bytes: Buffer } | undefined {
    const v = this.index.get(key);
    if (v === undefined) return undefined;
    const slab = this.slabs[Math.floor(v / SLAB_BYTES)] as Buffer;
    const at = v % SLAB_BYTES;
    const len = slab.readUInt16BE(at);
    const addrLen = slab.readUInt8(at + 4);
    const start = at + HEADER + addrLen;
    return {
      dest: { address: slab.toString('latin1', at + HEADER, start), port: slab.readUInt16BE(at + 2) },
      bytes: slab.subarray(start, start + len), // slabs are append-only, and the view keeps its slab alive
    };
  }
}

/**
 * What is left of non-INVITE server transactions on an unreliable transport
 * once they reached "Completed": the key, and the final response with its
 * destination, kept for at least `lifetimeMs` (Timer J = 64*T1, RFC 3261
 * 17.2.2) in generations that are dropped whole.
 *
 * Why not keep the machines: a Completed machine is an object, three
 * closures and a Node timer; at 6,000 requests per second Timer J keeps
 * 200,000 of them alive, which filled the old generation, made major GC
 * pauses the MWI benchmark's p99 (60-130 ms) and left hundreds of
 * megabytes of RSS behind (bench/mwi/README.md). Here the JS heap holds one
 * key string and one small integer per transaction; the response bytes sit
 * in 256 KB slabs outside it, which the garbage collector never copies
 * (keeping them as strings made every scavenge 15-20% longer) and which
 * are freed with their generation. Expiry is one timer per generation.
 *
 * An entry lives between `lifetimeMs` and `lifetimeMs * (1 + 1/slices)`:
 * never less than the RFC's timer; a retransmission arriving in the extra
 * part is answered as it would have been a moment before.
 */
export class CompletedTable {
  /** gens[0] takes new entries; the last one goes next. */
  private gens: Generation[] = [new Generation()];
  private timer: TimerHandle | undefined;
  private readonly periodMs: number;

  constructor(
    private readonly clock: Clock,
    lifetimeMs: number,
    private readonly slices = 4,
  ) {
    this.periodMs = Math.max(1, Math.ceil(lifetimeMs / slices));
  }

  /** Entries held (some may be past their lifetime, up to one period). */
  get size(): number {
    let n = 0;
    for (const g of this.gens) n += g.index.size;
    return n;
  }

  /** Bytes of slabs held outside the JS heap. */
  get slabBytes(): number {
    let n = 0;
    for (const g of this.gens) n += g.slabs.length * SLAB_BYTES;
    return n;
  }

  add(key: string, dest: CompletedDestination, bytes: Buffer): void {
    (this.gens[0] as Generation).add(key, dest, bytes);
    this.timer ??= this.clock.setTimeout(this.rotate, this.periodMs);
  }

  /** The kept response of `key` (a view into its slab). */
  get(key: string): { dest: CompletedDestination; bytes: Buffer } | undefined {
    for (const g of this.gens) {
      const hit = g.get(key);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.gens = [new Generation()];
  }

  private readonly rotate = (): void => {
    this.timer = undefined;
    this.gens.unshift(new Generation());
    if (this.gens.length > this.slices + 1) this.gens.pop();
    if (this.size > 0) this.timer = this.clock.setTimeout(this.rotate, this.periodMs);
    else this.gens = [new Generation()];
  };
}
