/**
 * Via (RFC 3261 section 20.42 and 25.1):
 * `sent-protocol LWS sent-by *( SEMI via-params )`, comma-separated.
 */
import { TOKEN_CHARS, scanClass, skipWs } from './chars.js';
import { SipParseError } from './errors.js';
import { lastPort, scanHost, scanPort } from './host.js';
import { type Params, formatHeaderParams, parseHeaderParams } from './params.js';

/** One Via entry. `branch`, `received`, `rport`, `maddr`, `ttl` are in `params` (`rport` without value is `null`). */
export interface Via {
  /** protocol-name "/" protocol-version, e.g. 'SIP/2.0' */
  protocol: string;
  /** upper-case transport: UDP TCP TLS SCTP WS WSS or another token */
  transport: string;
  /** sent-by host; an IPv6 reference keeps its brackets */
  host: string;
  port?: number;
  params: Params;
}

function scanToken(s: string, i: number, end: number): number {
  return scanClass(s, i, end, TOKEN_CHARS);
}

function expectSlash(s: string, i: number, end: number): number {
  i = skipWs(s, i, end);
  if (i >= end || s.charCodeAt(i) !== 47) throw new SipParseError('via', 'malformed sent-protocol');
  return skipWs(s, i + 1, end);
}

function upper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.toUpperCase();
  }
  return s;
}

/** True when s[start, end) equals `upperName` ignoring case (letters) and exactly otherwise. */
function sameUpper(s: string, start: number, end: number, upperName: string): boolean {
  if (end - start !== upperName.length) return false;
  for (let k = 0; k < upperName.length; k++) {
    const c = s.charCodeAt(start + k);
    const n = upperName.charCodeAt(k);
    if (c !== n && (n < 65 || n > 90 || (c & 0xdf) !== n)) return false;
  }
  return true;
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP', 'TLS-SCTP'];

function transportOf(s: string, start: number, end: number): string {
  for (let j = 0; j < TRANSPORTS.length; j++) {
    const t = TRANSPORTS[j] as string;
    if (sameUpper(s, start, end, t)) return t;
  }
  return upper(s.slice(start, end));
}

/** Parses one via-parm at `i`; stores the index after it in `viaEnd`. */
function parseOne(s: string, i: number, end: number): Via {
  i = skipWs(s, i, end);
  let j = scanToken(s, i, end);
  if (j === i) throw new SipParseError('via', 'missing protocol name');
  const nameStart = i;
  const nameEnd = j;
  i = expectSlash(s, j, end);
  j = scanToken(s, i, end);
  if (j === i) throw new SipParseError('via', 'missing protocol version');
  const protocol =
    sameUpper(s, nameStart, nameEnd, 'SIP') && sameUpper(s, i, j, '2.0')
      ? 'SIP/2.0'
      : upper(s.slice(nameStart, nameEnd)) + '/' + s.slice(i, j);
  i = expectSlash(s, j, end);
  j = scanToken(s, i, end);
  if (j === i) throw new SipParseError('via', 'missing transport');
  const transport = transportOf(s, i, j);
  i = skipWs(s, j, end);
  if (i === j) throw new SipParseError('via', 'no whitespace before sent-by');
  j = scanHost(s, i, end, 'via');
  const host = s.slice(i, j);
  i = skipWs(s, j, end);
  let port: number | undefined;
  if (i < end && s.charCodeAt(i) === 58) {
    i = scanPort(s, skipWs(s, i + 1, end), end, 'via');
    port = lastPort;
  }
  const params: Params = new Map();
  viaEnd = parseHeaderParams(s, i, end, params, true, 'via');
  return { protocol, transport, host, port, params };
}

let viaEnd = 0;

/**
 * Parses s[start, end) as one or more comma-separated Via entries and
 * appends them to `out`. Throws SipParseError('via').
 */
export function parseViaRange(s: string, start: number, end: number, out: Via[]): void {
  let i = start;
  for (;;) {
    out.push(parseOne(s, i, end));
    i = skipWs(s, viaEnd, end);
    if (i >= end) return;
    // parseHeaderParams stops only at the end or a comma
    i++;
  }
}

/** Parses a Via header value (one or more comma-separated entries). Throws SipParseError('via'). */
export function parseVia(value: string): Via[] {
  const out: Via[] = [];
  parseViaRange(value, 0, value.length, out);
  return out;
}

/** Formats one Via entry (`SIP/2.0/UDP host:port;params`). */
export function formatVia(v: Via): string {
  let s = v.protocol + '/' + v.transport + ' ' + v.host;
  if (v.port !== undefined) s += ':' + v.port;
  return s + formatHeaderParams(v.params);
}
