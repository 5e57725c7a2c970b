/**
 * Numbers, ordinals and digit strings as lists of prompt names, in English,
 * the way Asterisk's say.c says them (`get_number_str_en`,
 * `ast_say_enumeration_full_en`, `ast_get_digit_str`), so the same names
 * play with openum's built-in prompts or an Asterisk English sound set.
 */

/** Largest number {@link sayNumber} and {@link sayOrdinal} say. */
export const SAY_MAX = 999_999;

function checkNumber(n: number, min: number): void {
  if (!Number.isInteger(n) || n < min || n > SAY_MAX) throw new RangeError(`cannot say ${n} (${min}..${SAY_MAX})`);
}

/**
 * A cardinal number, 0..999,999: 1234 is one thousand two hundred thirty
 * four (`digits/1`, `digits/thousand`, `digits/2`, `digits/hundred`,
 * `digits/30`, `digits/4`); no "and", as in Asterisk.
 */
export function sayNumber(n: number): string[] {
  checkNumber(n, 0);
  if (n === 0) return ['digits/0'];
  const out: string[] = [];
  if (n >= 1000) {
    out.push(...sayNumber(Math.floor(n / 1000)), 'digits/thousand');
    n %= 1000;
  }
  if (n >= 100) {
    out.push(`digits/${Math.floor(n / 100)}`, 'digits/hundred');
    n %= 100;
  }
  if (n >= 20) {
    out.push(`digits/${Math.floor(n / 10) * 10}`);
    n %= 10;
  }
  if (n > 0) out.push(`digits/${n}`);
  return out;
}

/**
 * An ordinal, 1..999,999, as `ast_say_enumeration_full_en`: 3 is `h-3`
 * (third), 21 is `20` `h-1` (twenty first), 30 is `h-30`, 200 is `2`
 * `h-hundred`, 1000 is `h-thousand` (thousandth, without "one").
 */
export function sayOrdinal(n: number): string[] {
  checkNumber(n, 1);
  const out: string[] = [];
  let saidThousands = false;
  if (n >= 1000) {
    const thousands = Math.floor(n / 1000);
    n %= 1000;
    if (thousands > 1) out.push(...sayNumber(thousands));
    out.push(n ? 'digits/thousand' : 'digits/h-thousand');
    saidThousands = true;
  }
  if (n >= 100) {
    const hundreds = Math.floor(n / 100);
    n %= 100;
    if (hundreds > 1 || saidThousands) out.push(...sayNumber(hundreds));
    out.push(n ? 'digits/hundred' : 'digits/h-hundred');
  }
  if (n >= 20) {
    const tens = Math.floor(n / 10) * 10;
    n %= 10;
    out.push(n ? `digits/${tens}` : `digits/h-${tens}`);
  }
  if (n > 0) out.push(`digits/h-${n}`);
  return out;
}

/**
 * A digit string one character at a time (a phone number, a mailbox):
 * `0`-`9`, `*` (`digits/star`) and `#` (`digits/pound`); anything else
 * (`+`, spaces, dashes) is skipped.
 */
export function sayDigits(s: string): string[] {
  const out: string[] = [];
  for (const c of s) {
    if (c >= '0' && c <= '9') out.push(`digits/${c}`);
    else if (c === '*') out.push('digits/star');
    else if (c === '#') out.push('digits/pound');
  }
  return out;
}
