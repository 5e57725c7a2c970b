/**
 * An item the wheel can hold: its due time, and the slot the wheel filed it
 * in (owned by the wheel; -1 when not scheduled).
 */
export interface WheelItem {
  dueAt: number;
  wheelSlot: number;
}

/**
 * A hashed timing wheel with lazy deletion, for the expiry of very many
 * long-lived things (subscriptions, bindings): one array slot per scheduled
 * item instead of one timer object each, so 100,000 subscriptions cost a few
 * hundred kilobytes, and one periodic tick serves them all.
 *
 * Items are filed by `ceil(dueAt / resolution)`; rescheduling files the item
 * again and the old entry is skipped when its slot comes (the item's
 * `wheelSlot` no longer names it). {@link cancel} is O(1) the same way.
 * Items fire at most one resolution late, never early.
 */
export class TimingWheel<T extends WheelItem> {
  private readonly slots = new Map<number, T[]>();
  private lastSlot: number;
  private live = 0;

  constructor(
    private readonly resolutionMs: number,
    now: number,
  ) {
    this.lastSlot = Math.floor(now / resolutionMs);
  }

  /** Items scheduled and not yet fired or cancelled. */
  get size(): number {
    return this.live;
  }

  /** File (or re-file) an item for its `dueAt`. */
  schedule(item: T): void {
    const slot = Math.max(Math.ceil(item.dueAt / this.resolutionMs), this.lastSlot + 1);
    if (item.wheelSlot === slot) return;
    if (item.wheelSlot < 0) this.live++;
    item.wheelSlot = slot;
    const list = this.slots.get(slot);
    if (list) list.push(item);
    else this.slots.set(slot, [item]);
  }

  /** Forget an item (its entry is skipped later). */
  cancel(item: T): void {
    if (item.wheelSlot >= 0) {
      item.wheelSlot = -1;
      this.live--;
    }
  }

  /** Every item due at or before `now`, each once, in slot order. */
  advance(now: number): T[] {
    const target = Math.floor(now / this.resolutionMs);
    const due: T[] = [];
    if (target <= this.lastSlot) return due;
    // Walk slot by slot for short gaps; for a long gap (a suspended process) walk the filed slots.
    const keys =
      target - this.lastSlot > this.slots.size
        ? [...this.slots.keys()].filter((k) => k > this.lastSlot && k <= target).sort((a, b) => a - b)
        : range(this.lastSlot + 1, target);
    for (const slot of keys) {
      const list = this.slots.get(slot);
      if (!list) continue;
      this.slots.delete(slot);
      for (const item of list) {
        if (item.wheelSlot !== slot) continue;
        item.wheelSlot = -1;
        this.live--;
        due.push(item);
      }
    }
    this.lastSlot = target;
    return due;
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
