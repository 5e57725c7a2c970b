/**
 * The date and time of a message's envelope, as Asterisk's app_voicemail
 * says it in English: `say_date_with_format` with
 * `'vm-received' q 'digits/at' IMp` (main/say.c, `ast_say_date_with_format_en`):
 * "received today at 3 45 PM", "received yesterday at ...", "received
 * Tuesday at ..." within the last week, "received Sunday October third at
 * ..." within a month, "received August seventh at ..." within six months,
 * and with the year beyond.
 */
import { sayNumber, sayOrdinal } from './say-number.js';

interface LocalTime {
  year: number;
  /** 0..11 */
  month: number;
  day: number;
  /** 0 (Sunday)..6 */
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of an instant in a time zone (IANA name; undefined: the process's zone). */
function localTime(at: Date, timeZone: string | undefined): LocalTime {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const year = p['year'] as number;
  const month = (p['month'] as number) - 1;
  const day = p['day'] as number;
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month, day)).getUTCDay(),
    hour: (p['hour'] as number) % 24,
    minute: p['minute'] as number,
    second: p['second'] as number,
  };
}

const DAY = 86400;
/** Asterisk's "month" and "six months" in seconds. */
const MONTH = 2628000;
const HALF_YEAR = 15768000;

/**
 * "received <when> at <h> <mm> <AM/PM>" for a message received at `when`,
 * said at `now`, in `timeZone` (an IANA name such as `Europe/Paris`; the
 * process's zone when omitted; an unknown name throws RangeError).
 */
export function sayDateTime(when: Date, now: Date, timeZone?: string): string[] {
  const t = localTime(when, timeZone);
  return ['vm-received', ...sayWhen(when, t, now, timeZone), 'digits/at', ...sayClock(t)];
}

/** Format `q`: today, yesterday, a weekday, or a date, by how far `when` is from the start of today. */
function sayWhen(when: Date, t: LocalTime, now: Date, timeZone: string | undefined): string[] {
  const n = localTime(now, timeZone);
  const begToday = Math.floor(now.getTime() / 1000) - (n.hour * 3600 + n.minute * 60 + n.second);
  const s = Math.floor(when.getTime() / 1000);
  const A = [`digits/day-${t.weekday}`];
  const B = [`digits/mon-${t.month}`];
  const d = sayOrdinal(t.day);
  if (s > begToday + HALF_YEAR) return [...B, ...d, ...sayYear(t.year)];
  if (s > begToday + MONTH) return [...B, ...d];
  if (s > begToday + 6 * DAY) return [...A, ...B, ...d];
  if (s > begToday + 2 * DAY) return A;
  if (s > begToday + DAY) return ['digits/tomorrow'];
  if (s > begToday) return ['digits/today'];
  if (s > begToday - DAY) return ['digits/yesterday'];
  if (s > begToday - 6 * DAY) return A;
  if (s > begToday - MONTH) return [...A, ...B, ...d];
  if (s > begToday - HALF_YEAR) return [...B, ...d];
  return [...B, ...d, ...sayYear(t.year)];
}

/** Format `Y`: 2024 as a number, 1987 as nineteen eighty seven, 1905 as nineteen oh five. */
function sayYear(year: number): string[] {
  if (year >= 2000) return sayNumber(year);
  if (year <= 1900) return [];
  const yy = year - 1900;
  return ['digits/19', ...(yy <= 9 ? ['digits/oh'] : []), ...sayNumber(yy)];
}

/** Formats `I`, `M`, `p`: twelve-hour hour, minutes (o'clock, oh five, forty five), AM or PM. */
function sayClock(t: LocalTime): string[] {
  const h12 = t.hour === 0 ? 12 : t.hour > 12 ? t.hour - 12 : t.hour;
  const minutes =
    t.minute === 0 ? ['digits/oclock'] : t.minute < 10 ? ['digits/oh', `digits/${t.minute}`] : sayNumber(t.minute);
  return [`digits/${h12}`, ...minutes, t.hour > 11 ? 'digits/p-m' : 'digits/a-m'];
}
