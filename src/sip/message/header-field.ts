/**
 * One header field line of a message (RFC 3261 section 7.3).
 */
import { CR, LF, isToken, skipWs, trimEndIndex } from './chars.js';
import { SipParseError } from './errors.js';
import { headerKeyOf } from './header-names.js';

/** A header field as carried by a message. */
export interface HeaderField {
  /** the name as received or given ("v", "VIA", "Via"...) */
  name: string;
  /** lower-case long form, compact forms expanded ("via") */
  key: string;
  /** the value, unfolded (each CRLF+WSP became one SP) and trimmed */
  value: string;
}

/** Header name/value pairs accepted wherever headers are given. */
export type HeaderInit = HeaderField[] | [string, string][];

/**
 * A validated header field: the name must be a token (RFC 3261 25.1), the
 * value must not carry CR, LF or NUL (which would let it inject header
 * lines). Throws SipParseError('header').
 */
export function makeField(name: string, value: string): HeaderField {
  if (!isToken(name)) throw new SipParseError('header', `invalid header name ${JSON.stringify(name)}`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === CR || c === LF || c === 0)
      throw new SipParseError('header', `header ${name} value contains CR, LF or NUL`);
  }
  const end = trimEndIndex(value, 0, value.length);
  const start = skipWs(value, 0, end);
  const v = start === 0 && end === value.length ? value : value.slice(start, end);
  return { name, key: headerKeyOf(name).key, value: v };
}

/** Validated copies of the given headers. */
export function toFields(init: HeaderInit | undefined): HeaderField[] {
  const out: HeaderField[] = [];
  if (init === undefined) return out;
  for (const e of init) out.push(Array.isArray(e) ? makeField(e[0], e[1]) : makeField(e.name, e.value));
  return out;
}
