// How times, durations and callers read on the page.

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso) {
  return when.format(new Date(iso));
}

/** 75000 -> "1:15" */
export function formatDuration(ms) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "Bob (+15551234)", "+15551234", or "Unknown caller". */
export function formatCaller(m) {
  if (m.fromName && m.from) return `${m.fromName} (${m.from})`;
  return m.fromName || m.from || 'Unknown caller';
}

/** "2 new, 1 old" */
export function formatLamp(l) {
  const urgent = l.urgentNew > 0 ? ` (${l.urgentNew} urgent)` : '';
  return `${l.new} new${urgent}, ${l.old} old`;
}
