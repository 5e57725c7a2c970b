/**
 * The message parser (RFC 3261 section 7), hand-written, one pass.
 *
 * The start line is parsed and the header fields are split and unfolded
 * eagerly. Structured headers are parsed lazily on access (as pjsip and
 * Kamailio do), except those that RFC 4475 requires a receiver to check
 * before it can answer at all, which are validated eagerly and whose typed
 * views are cached on the message:
 *
 * - the Request-URI (RFC 4475 3.1.2.7, 3.1.2.8) and the start line itself
 *   (3.1.2.9, 3.1.2.10, 3.1.2.16 version -> 505, 3.1.2.19 status code);
 * - Via, all of them (3.1.2.1);
 * - CSeq: 32-bit number (3.1.2.4, 3.1.2.5), method equal to the request
 *   method (3.1.2.17, 3.1.2.18 -> 501 for an unknown method);
 * - Call-ID, From, To (3.1.2.6, 3.1.2.14, 3.1.2.15), once each (3.3.8);
 * - Max-Forwards when present, 0-255 (RFC 3261 20.22), once;
 * - Content-Length: digits, once (3.3.9), not beyond the datagram (3.1.2.2,
 *   3.1.2.3).
 *
 * Via, From, To, Call-ID and CSeq must be present (RFC 3261 8.1.1,
 * RFC 4475 3.3.1); Max-Forwards may be absent (RFC 2543 peers, 3.4.1).
 * Contact, Expires, Date and all other headers are checked only when read
 * (so, e.g., RFC 4475 3.1.2.13's Contact makes `contacts` throw).
 */
import { isAscii } from 'node:buffer';
import { HT, SP, isTokenRange, skipWs, trimEndIndex } from './chars.js';
import { SipParseError } from './errors.js';
import type { HeaderField } from './header-field.js';
import {
  H_CALL_ID,
  H_CONTENT_LENGTH,
  H_CSEQ,
  H_FROM,
  H_MAX_FORWARDS,
  H_TO,
  H_VIA,
  type HeaderKey,
  compactHeaderKey,
  headerKeyOf,
  knownHeader,
  knownHeaderExact,
} from './header-names.js';
import { parseCSeq, parseContentLength, parseMaxForwards, validateCallId } from './headers.js';
import { SipRequest, SipResponse } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { type Uri, parseUriRange } from './uri.js';
import { type Via, parseViaRange } from './via.js';

/** RFC 3261 section 18.1.1 path MTU-independent default limit used by openum. */
export const DEFAULT_MAX_MESSAGE_SIZE = 65535;

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /** bytes; a larger message throws SipParseError('too-large', status 513). Default 65535. */
  maxSize?: number;
}

const EMPTY = Buffer.alloc(0);
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Messages up to this size are decoded whole (see parseMessage). */
const SMALL_MESSAGE = 4096;

/** Methods of RFC 3261 and its extensions that openum's peers use. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

function startLineError(msg: string): SipParseError {
  return new SipParseError('start-line', msg);
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is accepted (505 otherwise). */
function checkVersion(s: string, start: number, end: number): void {
  if (
    end - start === 7 &&
    (s.charCodeAt(start) | 0x20) === 115 &&
    (s.charCodeAt(start + 1) | 0x20) === 105 &&
    (s.charCodeAt(start + 2) | 0x20) === 112 &&
    s.charCodeAt(start + 3) === 47 &&
    s.charCodeAt(start + 4) === 50 &&
    s.charCodeAt(start + 5) === 46 &&
    s.charCodeAt(start + 6) === 48
  )
    return;
  let i = start + 4;
  let digits1 = 0;
  let digits2 = 0;
  if (end - start > 4 && s.slice(start, start + 4).toUpperCase() === 'SIP/') {
    while (i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      i++;
      digits1++;
    }
    if (i < end && s.charCodeAt(i) === 46) {
      i++;
      while (i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
        i++;
        digits2++;
      }
    }
  }
  if (digits1 > 0 && digits2 > 0 && i === end) {
    throw new SipParseError('version', `unsupported version ${s.slice(start, end)}`, 505);
  }
  throw startLineError('malformed SIP-Version');
}

function isResponseLine(s: string): boolean {
  return (
    s.length > 4 &&
    (s.charCodeAt(0) | 0x20) === 115 &&
    (s.charCodeAt(1) | 0x20) === 105 &&
    (s.charCodeAt(2) | 0x20) === 112 &&
    s.charCodeAt(3) === 47
  );
}

function headerError(msg: string): SipParseError {
  return new SipParseError('header', msg);
}

/** Index of the CR ending the line that starts at `pos`; checks CRLF and the absence of a bare CR. */
function lineEnd(s: string, pos: number): number {
  const nl = s.indexOf('\n', pos);
  if (nl < 0) throw headerError('no empty line after the header fields');
  const cr = s.indexOf('\r', pos);
  if (nl === pos || cr !== nl - 1) throw headerError('bare CR or LF in header section');
  return cr;
}

function trimmedPiece(s: string, start: number, end: number): string {
  const a = skipWs(s, start, end);
  return s.slice(a, trimEndIndex(s, a, end));
}

function duplicate(name: string): SipParseError {
  return new SipParseError('duplicate-header', `more than one ${name} header`);
}

/**
 * Parses one message from a datagram or a framed stream message. Extra
 * octets after Content-Length are discarded; a body shorter than
 * Content-Length is an error; without Content-Length the body runs to the
 * end of `data` (RFC 3261 18.3). The body is copied. Request-URI, Via,
 * From, To, Call-ID, CSeq, Max-Forwards and Content-Length are validated
 * eagerly (see the module doc), other headers when read. Throws
 * SipParseError only.
 */
export function parseMessage(data: Buffer, opts?: ParseOptions): SipRequest | SipResponse {
  const maxSize = opts?.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (data.length > maxSize) {
    throw new SipParseError('too-large', `message of ${data.length} bytes exceeds ${maxSize}`, 513);
  }
  // RFC 3261 7.5: ignore CRLFs before the start line
  let start = 0;
  while (start + 1 < data.length && data[start] === 13 && data[start + 1] === 10) start += 2;
  // Fast path for a small all-ASCII message: decode it whole as latin1 (char
  // offsets are byte offsets) and let the header loop find the empty line.
  // Otherwise find the empty line in the bytes and decode only the header
  // section, as UTF-8 (RFC 3261 7.3.1), so that header strings never pin a
  // large body in memory.
  let head: string;
  let bodyStart = -1;
  if (data.length - start <= SMALL_MESSAGE && isAscii(data)) {
    head = data.toString('latin1', start, data.length);
  } else {
    const end = data.indexOf(CRLFCRLF, start);
    if (end < 0) throw headerError('no empty line after the header fields');
    bodyStart = end + 4;
    head = data.toString('utf8', start, bodyStart);
  }

  // start line
  const le = lineEnd(head, 0);
  const response = isResponseLine(head);
  let method = '';
  let uri: Uri | undefined;
  let status = 0;
  let reason = '';
  const sp1 = head.indexOf(' ');
  if (sp1 <= 0 || sp1 >= le) throw startLineError('malformed start line');
  if (response) {
    checkVersion(head, 0, sp1);
    let i = sp1 + 1;
    while (i < le && head.charCodeAt(i) >= 48 && head.charCodeAt(i) <= 57) i++;
    if (i - sp1 - 1 !== 3 || (i < le && head.charCodeAt(i) !== SP)) throw startLineError('Status-Code is not 3 digits');
    status =
      (head.charCodeAt(sp1 + 1) - 48) * 100 + (head.charCodeAt(sp1 + 2) - 48) * 10 + (head.charCodeAt(sp1 + 3) - 48);
    if (status < 100 || status > 699) throw startLineError(`Status-Code ${status} out of range`);
    reason = i < le ? head.slice(i + 1, le) : '';
  } else {
    if (!isTokenRange(head, 0, sp1)) throw startLineError('method is not a token');
    method = head.slice(0, sp1);
    if (head.charCodeAt(sp1 + 1) === SP) throw startLineError('Request-Line elements must be separated by single SP');
    const sp2 = head.lastIndexOf(' ', le - 1);
    if (sp2 <= sp1 + 1 || sp2 === le - 1 || head.charCodeAt(sp2 - 1) === SP) {
      throw startLineError('Request-Line elements must be separated by single SP');
    }
    checkVersion(head, sp2 + 1, le);
    const inner = head.indexOf(' ', sp1 + 1);
    if (inner < sp2) throw new SipParseError('uri', 'whitespace in Request-URI');
    uri = parseUriRange(head, sp1 + 1, sp2);
  }

  // header fields, up to the empty line
  const fields: HeaderField[] = [];
  const viaFields: HeaderField[] = [];
  const viaValues: string[] = [];
  let from: HeaderField | undefined;
  let to: HeaderField | undefined;
  let callId: HeaderField | undefined;
  let cseq: HeaderField | undefined;
  let maxForwards: HeaderField | undefined;
  let contentLength: HeaderField | undefined;
  let pos = le + 2;
  for (;;) {
    let cr = lineEnd(head, pos);
    if (cr === pos) break; // the empty line
    const colon = head.indexOf(':', pos);
    if (colon < 0 || colon > cr) throw headerError('header line without ":"');
    const nameEnd = trimEndIndex(head, pos, colon);
    let name: string;
    let hk: HeaderKey | undefined;
    const known = knownHeader(head, pos, nameEnd);
    if (known !== undefined) {
      hk = known.hk;
      name = knownHeaderExact ? known.canonical : head.slice(pos, nameEnd);
    } else {
      name = head.slice(pos, nameEnd);
      hk = nameEnd - pos === 1 ? compactHeaderKey(head.charCodeAt(pos)) : undefined;
      if (hk === undefined) {
        if (!isTokenRange(head, pos, nameEnd)) throw headerError(`invalid header name ${JSON.stringify(name)}`);
        hk = headerKeyOf(name);
      }
    }
    let next = cr + 2;
    let c = head.charCodeAt(next);
    let value: string;
    if (c !== SP && c !== HT) {
      const vs = skipWs(head, colon + 1, cr);
      value = head.slice(vs, trimEndIndex(head, vs, cr));
    } else {
      // folded: each CRLF + whitespace becomes one SP (RFC 3261 7.3.1)
      value = trimmedPiece(head, colon + 1, cr);
      while (c === SP || c === HT) {
        cr = lineEnd(head, next);
        const piece = trimmedPiece(head, next, cr);
        if (piece !== '') value = value === '' ? piece : value + ' ' + piece;
        next = cr + 2;
        c = head.charCodeAt(next);
      }
    }
    const field: HeaderField = { name, key: hk.key, value };
    fields.push(field);
    switch (hk.id) {
      case H_VIA:
        viaFields.push(field);
        viaValues.push(value);
        break;
      case H_FROM:
        if (from !== undefined) throw duplicate('From');
        from = field;
        break;
      case H_TO:
        if (to !== undefined) throw duplicate('To');
        to = field;
        break;
      case H_CALL_ID:
        if (callId !== undefined) throw duplicate('Call-ID');
        callId = field;
        break;
      case H_CSEQ:
        if (cseq !== undefined) throw duplicate('CSeq');
        cseq = field;
        break;
      case H_MAX_FORWARDS:
        if (maxForwards !== undefined) throw duplicate('Max-Forwards');
        maxForwards = field;
        break;
      case H_CONTENT_LENGTH:
        if (contentLength !== undefined) throw duplicate('Content-Length');
        contentLength = field;
        break;
      default:
        break;
    }
    pos = next;
  }
  if (bodyStart < 0) bodyStart = start + pos + 2;

  // mandatory headers (RFC 3261 8.1.1)
  if (viaFields.length === 0) throw new SipParseError('missing-header', 'no Via header');
  if (from === undefined) throw new SipParseError('missing-header', 'no From header');
  if (to === undefined) throw new SipParseError('missing-header', 'no To header');
  if (callId === undefined) throw new SipParseError('missing-header', 'no Call-ID header');
  if (cseq === undefined) throw new SipParseError('missing-header', 'no CSeq header');

  const cseqParsed = parseCSeq(cseq.value);
  if (!response && cseqParsed.method !== method) {
    throw new SipParseError(
      'cseq',
      `CSeq method ${cseqParsed.method} does not match ${method}`,
      KNOWN_METHODS.has(method) ? 400 : 501,
    );
  }
  const vias: Via[] = [];
  for (let k = 0; k < viaValues.length; k++) {
    const v = viaValues[k] as string;
    parseViaRange(v, 0, v.length, vias);
  }
  const fromParsed = parseNameAddr(from.value);
  const toParsed = parseNameAddr(to.value);
  validateCallId(callId.value);
  const mf = maxForwards === undefined ? 0 : parseMaxForwards(maxForwards.value);

  // body (RFC 3261 18.3)
  const available = data.length - bodyStart;
  let body = EMPTY;
  if (contentLength !== undefined) {
    const cl = parseContentLength(contentLength.value);
    if (cl > available)
      throw new SipParseError('body', `body of ${available} bytes is shorter than Content-Length ${cl}`);
    if (cl > 0) body = Buffer.from(data.subarray(bodyStart, bodyStart + cl));
  } else if (available > 0) {
    body = Buffer.from(data.subarray(bodyStart));
  }

  const msg = response
    ? new SipResponse(status, reason, undefined, body)
    : new SipRequest(method, uri as Uri, undefined, body);
  msg.headers = fields;
  const t = msg._t;
  t.viaFields = viaFields;
  t.viaValues = viaValues;
  t.vias = vias;
  t.fromField = from;
  t.fromValue = from.value;
  t.from = fromParsed;
  t.toField = to;
  t.toValue = to.value;
  t.to = toParsed;
  t.callIdField = callId;
  t.callIdValue = callId.value;
  t.cseqField = cseq;
  t.cseqValue = cseq.value;
  t.cseq = cseqParsed;
  if (maxForwards !== undefined) {
    t.maxForwardsField = maxForwards;
    t.maxForwardsValue = maxForwards.value;
    t.maxForwards = mf;
  }
  return msg;
}
