import { randomToken, reasonPhrase } from '../message/index.js';
import type { SipParseError } from '../message/index.js';

/** At most this much of an unparseable message is scanned for headers. */
const SCAN_LIMIT = 65_536;

/** Header fields a response must copy from the request (RFC 3261 8.2.6.2). */
interface Salvaged {
  vias: string[];
  from?: string;
  to?: string;
  callId?: string;
  cseq?: string;
}

/**
 * Builds, statelessly, the error response to bytes that failed to parse
 * (RFC 3261 8.2.6 / 21.4.1: 400 for a malformed request, or the status the
 * parse error carries, e.g. 505 or 513). The Via, From, To, Call-ID and CSeq
 * header fields are salvaged by a lenient line scan and echoed byte for byte;
 * a To tag is added when absent. The reason phrase is the parse error's
 * message (sanitised), or the standard phrase.
 *
 * Returns undefined (drop) for a response, an ACK (never answered, 17.1.1.3),
 * garbage, or a request from which any of those five header fields cannot be
 * salvaged. Never throws. The caller sends the bytes back to the packet's
 * source (over the same flow for stream transports).
 */
export function statelessErrorResponse(data: Buffer, error: SipParseError): Buffer | undefined {
  try {
    return build(data, error);
  } catch {
    return undefined;
  }
}

function build(data: Buffer, error: SipParseError): Buffer | undefined {
  const text = data.toString('latin1', 0, Math.min(data.length, SCAN_LIMIT));
  let pos = 0;
  while (pos < text.length && (text.charCodeAt(pos) === 13 || text.charCodeAt(pos) === 10)) pos++;
  let eol = text.indexOf('\n', pos);
  if (eol < 0) return undefined;
  const method = requestMethod(stripCr(text.slice(pos, eol)));
  if (method === undefined || method === 'ACK') return undefined;

  const found: Salvaged = { vias: [] };
  let name = '';
  let value = '';
  for (;;) {
    pos = eol + 1;
    if (pos >= text.length) break;
    eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = stripCr(text.slice(pos, eol));
    if (line.length === 0) break; // end of the header section
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9) {
      value += ' ' + line.trim(); // folded continuation (RFC 3261 7.3.1)
      continue;
    }
    keep(found, name, value);
    const colon = line.indexOf(':');
    if (colon <= 0) {
      name = '';
      continue;
    }
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1).trim();
  }
  keep(found, name, value);

  const { vias, from, to, callId, cseq } = found;
  if (vias.length === 0 || !from || !to || !callId || !cseq) return undefined;
  if (cseqMethod(cseq) === 'ACK') return undefined;

  const status = error.status >= 400 && error.status <= 699 ? Math.trunc(error.status) : 400;
  const reason = sanitizeReason(error.message) || reasonPhrase(status);
  const toValue = hasTag(to) ? to : `${to};tag=${randomToken()}`;
  let head = '';
  for (const v of vias) head += `Via: ${v}\r\n`;
  head += `From: ${from}\r\nTo: ${toValue}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq}\r\nContent-Length: 0\r\n\r\n`;
  return Buffer.concat([Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`, 'utf8'), Buffer.from(head, 'latin1')]);
}

/** The method of something that looks like a Request-Line, else undefined (responses, garbage). */
function requestMethod(line: string): string | undefined {
  const sp = line.indexOf(' ');
  if (sp <= 0 || line.startsWith('SIP/')) return undefined;
  for (let i = 0; i < sp; i++) if (!isTokenChar(line.charCodeAt(i))) return undefined;
  if (line.slice(sp + 1).trim().length === 0) return undefined;
  return line.slice(0, sp);
}

function keep(found: Salvaged, name: string, value: string): void {
  if (name === '' || value === '') return;
  const v = clean(value);
  switch (name) {
    case 'via':
    case 'v':
      found.vias.push(v);
      return;
    case 'from':
    case 'f':
      found.from ??= v;
      return;
    case 'to':
    case 't':
      found.to ??= v;
      return;
    case 'call-id':
    case 'i':
      found.callId ??= v;
      return;
    case 'cseq':
      found.cseq ??= v;
      return;
    default:
      return;
  }
}

function cseqMethod(cseq: string): string {
  const parts = cseq.trim().split(/[ \t]+/);
  return (parts[1] ?? '').toUpperCase();
}

/** Whether a To value carries a tag parameter (lenient scan for `;tag=`, whitespace allowed). */
function hasTag(to: string): boolean {
  const lower = to.toLowerCase();
  let i = lower.indexOf(';');
  while (i >= 0) {
    let j = i + 1;
    while (lower.charCodeAt(j) === 32 || lower.charCodeAt(j) === 9) j++;
    if (lower.startsWith('tag', j)) {
      j += 3;
      while (lower.charCodeAt(j) === 32 || lower.charCodeAt(j) === 9) j++;
      if (lower.charCodeAt(j) === 61 /* = */) return true;
    }
    i = lower.indexOf(';', i + 1);
  }
  return false;
}

/** Replaces control characters (a lone CR, NUL, ...) so echoed values cannot break the framing. */
function clean(v: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) {
      out += v.slice(start, i) + ' ';
      start = i + 1;
    }
  }
  return start === 0 ? v : out + v.slice(start);
}

function sanitizeReason(message: string): string {
  return clean(String(message)).replace(/\s+/g, ' ').trim().slice(0, 120);
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function isTokenChar(c: number): boolean {
  // RFC 3261 25.1 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 45 ||
    c === 46 ||
    c === 33 ||
    c === 37 ||
    c === 42 ||
    c === 95 ||
    c === 43 ||
    c === 96 ||
    c === 39 ||
    c === 126
  );
}
