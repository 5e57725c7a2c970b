/** An entry of a {@link DueHeap}: when it is due, and its place in the heap (owned by the heap; -1 when out). */
export interface DueEntry {
  dueAt: number;
  /** Ties are taken in this order. */
  seq: number;
  heapIndex: number;
}

/** A binary min-heap by due time with O(log n) insert and removal of any entry. */
export class DueHeap<T extends DueEntry> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(e: T): void {
    e.heapIndex = this.items.length;
    this.items.push(e);
    this.up(e.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  /** Take every entry out. */
  clear(): void {
    for (const e of this.items) e.heapIndex = -1;
    this.items.length = 0;
  }

  /** Take an entry out wherever it is; a no-op when it is not in the heap. */
  remove(e: T): void {
    const i = e.heapIndex;
    if (i < 0 || this.items[i] !== e) return;
    const last = this.items.pop() as T;
    e.heapIndex = -1;
    if (last === e) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  private less(a: T, b: T): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const e = items[i] as T;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p] as T;
      if (!this.less(e, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = e;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const e = items[i] as T;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(items[c + 1] as T, items[c] as T)) c++;
      const child = items[c] as T;
      if (!this.less(child, e)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = e;
    e.heapIndex = i;
  }
}
