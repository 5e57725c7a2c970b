/**
 * E-mail addresses openum accepts for a user (`--email`) and as the sender
 * (`--smtp-from`): kept strict, since they go into To and From headers.
 */

/** RFC 5322 section 3.2.3 `atext`, one or more, as a character class body. */
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";

const ADDR_SPEC = new RegExp(
  `^[${ATEXT}]+(?:\\.[${ATEXT}]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$`,
);

/** A display name we put before `<addr>` ourselves: printable, no quotes, brackets or backslashes. */
const DISPLAY_NAME = /^[^"<>\\]{1,64}$/;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A bare addr-spec `local@domain` (RFC 5322 section 3.4.1) whose local part
 * is a dot-atom (section 3.2.3: no spaces, quotes, angle brackets, commas or
 * control characters) and whose domain is a host name, at most 254
 * characters (RFC 5321 section 4.5.3.1.3).
 */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && ADDR_SPEC.test(text);
}

/** A sender: a bare address, or `Display Name <address>` (RFC 5322 section 3.4 name-addr, unquoted). */
export function parseSender(text: string): { name: string | null; address: string } | undefined {
  if (isEmailAddress(text)) return { name: null, address: text };
  if (CONTROL.test(text)) return undefined;
  const m = /^(.*?)\s*<([^<>]*)>$/.exec(text);
  if (!m) return undefined;
  const name = (m[1] ?? '').trim();
  const address = m[2] ?? '';
  if (!isEmailAddress(address) || (name !== '' && !DISPLAY_NAME.test(name))) return undefined;
  return { name: name === '' ? null : name, address };
}
