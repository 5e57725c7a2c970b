import type { MwiCounts } from '../storage/ports.js';

/** The lamp shows the aggregate of every source: counts add up. */
export function sumCounts(all: Iterable<MwiCounts>): MwiCounts {
  const s = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };
  for (const c of all) {
    s.new += c.new;
    s.old += c.old;
    s.urgentNew += c.urgentNew;
    s.urgentOld += c.urgentOld;
  }
  return s;
}

export function sameCounts(a: MwiCounts, b: MwiCounts): boolean {
  return a.new === b.new && a.old === b.old && a.urgentNew === b.urgentNew && a.urgentOld === b.urgentOld;
}

/** RFC 3842 section 5.2 counts are 32-bit unsigned; urgent counts are part of new/old. */
export function validCounts(c: MwiCounts): string | undefined {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) return `${k} must be an integer from 0 to 4294967295`;
  }
  if (c.urgentNew > c.new) return 'urgentNew cannot exceed new';
  if (c.urgentOld > c.old) return 'urgentOld cannot exceed old';
  return undefined;
}
