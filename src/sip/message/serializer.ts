/**
 * The message serializer (RFC 3261 section 7).
 */
import type { HeaderField } from './header-field.js';
import { type SipMessage, SipRequest, type SipResponse } from './message.js';

const K_CONTENT_LENGTH = 'content-length';

/** The start line without CRLF: Request-Line (7.1) or Status-Line (7.2). */
export function startLine(m: SipMessage): string {
  if (m instanceof SipRequest) return m.method + ' ' + m.uri.toString() + ' SIP/2.0';
  const r = m as SipResponse;
  return 'SIP/2.0 ' + r.status + ' ' + r.reason;
}

/**
 * The message as bytes: start line, every header field on one line in
 * order (names as given, values unfolded), then Content-Length written
 * from the body length (any Content-Length field is replaced, RFC 3261
 * 18.3 / 20.14), the empty line and the body.
 */
export function serializeMessage(m: SipMessage): Buffer {
  let s = startLine(m) + '\r\n';
  const hs = m.headers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i] as HeaderField;
    if (h.key !== K_CONTENT_LENGTH) s += h.name + ': ' + h.value + '\r\n';
  }
  const body = m.body;
  s += 'Content-Length: ' + body.length + '\r\n\r\n';
  if (body.length === 0) return Buffer.from(s, 'utf8');
  const headLen = Buffer.byteLength(s, 'utf8');
  const out = Buffer.allocUnsafe(headLen + body.length);
  out.write(s, 0, headLen, 'utf8');
  body.copy(out, headLen);
  return out;
}
