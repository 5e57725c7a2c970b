/**
 * Escaping of attribute values for hand-written XML (the roaming-self
 * bodies today).
 */

const REPLACEMENT = '\ufffd';

function escapeOf(c: number): string | undefined {
  switch (c) {
    case 0x26:
      return '&amp;';
    case 0x3c:
      return '&lt;';
    case 0x3e:
      return '&gt;';
    case 0x22:
      return '&quot;';
    case 0x27:
      return '&apos;';
    // Written as references so that attribute-value normalization (XML 1.0 section 3.3.3) keeps them.
    case 0x09:
      return '&#9;';
    case 0x0a:
      return '&#10;';
    case 0x0d:
      return '&#13;';
    default:
      return undefined;
  }
}

/**
 * Makes any string safe inside a double-quoted XML attribute value: the
 * five markup characters become entity references (XML 1.0 section 4.6),
 * TAB/LF/CR character references, and what XML 1.0 section 2.2 does not
 * allow at all (other C0 controls, lone surrogates, U+FFFE, U+FFFF) becomes
 * U+FFFD, so that the output is always well-formed. A string that needs
 * nothing is returned as is, without allocating.
 */
export function escapeXmlAttr(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c >= 0x20 && c < 0xd800 && c !== 0x26 && c !== 0x3c && c !== 0x3e && c !== 0x22 && c !== 0x27) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      rep = REPLACEMENT;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      rep = REPLACEMENT;
    } else if (c >= 0xe000) {
      if (c !== 0xfffe && c !== 0xffff) continue;
      rep = REPLACEMENT;
    } else {
      rep = escapeOf(c) ?? REPLACEMENT;
    }
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * What {@link escapeXmlAttr} keeps of a string once an XML parser has read it
 * back: the string with every character XML cannot carry replaced by U+FFFD.
 * For round-trip tests and for callers that want to compare.
 */
export function xmlSafe(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    REPLACEMENT,
  );
}
