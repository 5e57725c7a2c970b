import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptLibrary } from '../../../src/media/prompt-library.js';
import {
  sayCounts,
  sayDateTime,
  sayDigits,
  sayDuration,
  sayFrom,
  sayMessageIntro,
  sayNumber,
  sayOrdinal,
} from '../../../src/voicemail/say.js';

const d = (s: string): string[] => s.split(' ').map((w) => (w.startsWith('vm-') ? w : `digits/${w}`));

describe('sayNumber (Asterisk get_number_str_en)', () => {
  test('examples', () => {
    assert.deepEqual(sayNumber(0), d('0'));
    assert.deepEqual(sayNumber(7), d('7'));
    assert.deepEqual(sayNumber(19), d('19'));
    assert.deepEqual(sayNumber(20), d('20'));
    assert.deepEqual(sayNumber(45), d('40 5'));
    assert.deepEqual(sayNumber(100), d('1 hundred'));
    assert.deepEqual(sayNumber(115), d('1 hundred 15'));
    assert.deepEqual(sayNumber(1000), d('1 thousand'));
    assert.deepEqual(sayNumber(1234), d('1 thousand 2 hundred 30 4'));
    assert.deepEqual(sayNumber(2025), d('2 thousand 20 5'));
    assert.deepEqual(sayNumber(999999), d('9 hundred 90 9 thousand 9 hundred 90 9'));
  });

  test('outside 0..999999 or not an integer: RangeError', () => {
    for (const n of [-1, 1_000_000, 1.5, NaN]) assert.throws(() => sayNumber(n), RangeError);
  });
});

describe('sayOrdinal (Asterisk ast_say_enumeration_full_en)', () => {
  test('examples', () => {
    assert.deepEqual(sayOrdinal(1), d('h-1'));
    assert.deepEqual(sayOrdinal(12), d('h-12'));
    assert.deepEqual(sayOrdinal(20), d('h-20'));
    assert.deepEqual(sayOrdinal(21), d('20 h-1'));
    assert.deepEqual(sayOrdinal(30), d('h-30'));
    assert.deepEqual(sayOrdinal(31), d('30 h-1'));
    assert.deepEqual(sayOrdinal(100), d('h-hundred'));
    assert.deepEqual(sayOrdinal(200), d('2 h-hundred'));
    assert.deepEqual(sayOrdinal(103), d('hundred h-3'));
    assert.deepEqual(sayOrdinal(1000), d('h-thousand'));
    assert.deepEqual(sayOrdinal(1100), d('thousand 1 h-hundred'));
    assert.deepEqual(sayOrdinal(3002), d('3 thousand h-2'));
    assert.throws(() => sayOrdinal(0), RangeError);
  });
});

describe('sayDigits', () => {
  test('each digit, star and pound; other characters skipped', () => {
    assert.deepEqual(sayDigits('1001'), d('1 0 0 1'));
    assert.deepEqual(sayDigits('+1 (555) 0*#'), d('1 5 5 5 0 star pound'));
    assert.deepEqual(sayDigits(''), []);
  });
});

describe('sayCounts (Asterisk vm_intro_en)', () => {
  test('new, old, both, none, urgent', () => {
    assert.deepEqual(sayCounts(2, 1), d('vm-youhave 2 vm-INBOX vm-messages vm-and 1 vm-Old vm-message'));
    assert.deepEqual(sayCounts(1, 0), d('vm-youhave 1 vm-INBOX vm-message'));
    assert.deepEqual(sayCounts(0, 3), d('vm-youhave 3 vm-Old vm-messages'));
    assert.deepEqual(sayCounts(0, 0), d('vm-youhave vm-no vm-messages'));
    assert.deepEqual(sayCounts(21, 0), d('vm-youhave 20 1 vm-INBOX vm-messages'));
    assert.deepEqual(sayCounts(3, 0, 1), d('vm-youhave 1 vm-Urgent vm-message vm-and 3 vm-INBOX vm-messages'));
  });
});

describe('the envelope', () => {
  test('which message (play_message)', () => {
    assert.deepEqual(sayMessageIntro(0, 5), d('vm-first vm-message'));
    assert.deepEqual(sayMessageIntro(0, 1), d('vm-first vm-message'));
    assert.deepEqual(sayMessageIntro(2, 5), d('vm-message 3'));
    assert.deepEqual(sayMessageIntro(4, 5), d('vm-last vm-message'));
  });

  test('from whom (play_message_callerid)', () => {
    assert.deepEqual(sayFrom('+15551234'), ['vm-from-phonenumber', ...d('1 5 5 5 1 2 3 4')]);
    assert.deepEqual(sayFrom(undefined), ['vm-unknown-caller']);
    assert.deepEqual(sayFrom('anonymous'), ['vm-unknown-caller']);
  });

  test('how long (play_message_duration, from 2 minutes by default)', () => {
    assert.deepEqual(sayDuration(119), []);
    assert.deepEqual(sayDuration(185), d('vm-duration 3 vm-minutes'));
    assert.deepEqual(sayDuration(65, 1), d('vm-duration 1 vm-minutes'));
    assert.deepEqual(sayDuration(30, 0), []);
  });
});

describe("sayDateTime (format 'vm-received' q 'digits/at' IMp)", () => {
  const zone = 'America/New_York';
  // Thursday 2025-03-20 18:30:00 in New York (EDT, UTC-4)
  const now = new Date('2025-03-20T22:30:00Z');
  const at = (iso: string): string[] => sayDateTime(new Date(iso), now, zone);

  test('today, with minutes, o clock and oh', () => {
    assert.deepEqual(at('2025-03-20T19:45:00Z'), d('vm-received today at 3 40 5 p-m'));
    assert.deepEqual(at('2025-03-20T13:00:00Z'), d('vm-received today at 9 oclock a-m'));
    assert.deepEqual(at('2025-03-20T04:05:00Z'), d('vm-received today at 12 oh 5 a-m')); // 00:05
    assert.deepEqual(at('2025-03-20T16:10:00Z'), d('vm-received today at 12 10 p-m')); // noon
  });

  test('yesterday, a weekday within the week, a date within a month, six months, and the year beyond', () => {
    assert.deepEqual(at('2025-03-19T23:59:00Z'), d('vm-received yesterday at 7 50 9 p-m'));
    assert.deepEqual(at('2025-03-18T14:00:00Z'), d('vm-received day-2 at 10 oclock a-m')); // Tuesday
    assert.deepEqual(at('2025-03-14T14:00:00Z'), d('vm-received day-5 at 10 oclock a-m')); // Friday, 6 days ago
    // a week ago: a weekday alone would be ambiguous, so the date too
    assert.deepEqual(at('2025-03-13T14:00:00Z'), d('vm-received day-4 mon-2 h-13 at 10 oclock a-m'));
    assert.deepEqual(at('2025-03-03T15:00:00Z'), d('vm-received day-1 mon-2 h-3 at 10 oclock a-m'));
    assert.deepEqual(at('2024-12-21T15:00:00Z'), d('vm-received mon-11 20 h-1 at 10 oclock a-m'));
    assert.deepEqual(at('2024-07-04T16:00:00Z'), d('vm-received mon-6 h-4 2 thousand 20 4 at 12 oclock p-m'));
    assert.deepEqual(
      sayDateTime(new Date('1987-05-31T12:00:00Z'), now, 'UTC'),
      d('vm-received mon-4 30 h-1 19 80 7 at 12 oclock p-m'),
    );
  });

  test('old years and the future: nineteen oh five, tomorrow', () => {
    assert.deepEqual(
      sayDateTime(new Date('1905-01-02T12:00:00Z'), now, 'UTC'),
      d('vm-received mon-0 h-2 19 oh 5 at 12 oclock p-m'),
    );
    assert.deepEqual(at('2025-03-21T13:00:00Z'), d('vm-received tomorrow at 9 oclock a-m'));
  });

  test('the time zone decides the day and the hour', () => {
    const when = new Date('2025-03-20T14:15:00Z');
    assert.deepEqual(sayDateTime(when, now, 'America/New_York'), d('vm-received today at 10 15 a-m'));
    // in Tokyo that was Thursday 23:15, and "now" is already Friday 07:30 there
    assert.deepEqual(sayDateTime(when, now, 'Asia/Tokyo'), d('vm-received yesterday at 11 15 p-m'));
    assert.throws(() => sayDateTime(when, now, 'Not/AZone'), RangeError);
  });
});

describe('every prompt name said exists in the built-in prompt set', () => {
  test('numbers, ordinals, digits, counts, envelopes and a year of dates', async () => {
    const names = new Set<string>();
    const add = (list: string[]): void => list.forEach((n) => names.add(n));
    for (let n = 0; n < 1100; n++) add(sayNumber(n));
    for (let n = 1; n < 1100; n++) add(sayOrdinal(n));
    add(sayNumber(999_999));
    add(sayOrdinal(999_999));
    add(sayDigits('0123456789*#'));
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let u = 0; u < 2; u++) add(sayCounts(a, b, u));
    add(sayMessageIntro(0, 3));
    add(sayMessageIntro(1, 3));
    add(sayMessageIntro(2, 3));
    add(sayFrom('123'));
    add(sayFrom());
    add(sayDuration(600));
    const now = new Date('2025-03-20T22:30:00Z');
    for (let h = -24 * 800; h < 24 * 200; h += 7)
      add(sayDateTime(new Date(now.getTime() + h * 3600_000 + h * 7000), now, 'UTC'));
    for (const year of [1901, 1955, 1999, 2000, 2099]) add(sayDateTime(new Date(Date.UTC(year, 5, 1)), now, 'UTC'));
    const lib = new PromptLibrary();
    const missing: string[] = [];
    for (const name of names) if (!(await lib.has(name))) missing.push(name);
    assert.deepEqual(missing, []);
    assert.ok(names.size > 100, `${names.size} names`);
  });
});
