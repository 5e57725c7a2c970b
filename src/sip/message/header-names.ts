/**
 * Header field names: case-insensitive comparison (RFC 3261 section 7.3.1),
 * compact forms (section 7.3.3 and later RFCs), and which headers are not
 * comma-separated lists.
 */

/** Compact form letter to lower-case long name. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type', // RFC 3261
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding', // RFC 3261
  f: 'from', // RFC 3261
  i: 'call-id', // RFC 3261
  j: 'reject-contact', // RFC 3841
  k: 'supported', // RFC 3261
  l: 'content-length', // RFC 3261
  m: 'contact', // RFC 3261
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665 (RFC 3265)
  r: 'refer-to', // RFC 3515
  s: 'subject', // RFC 3261
  t: 'to', // RFC 3261
  u: 'allow-events', // RFC 6665 (RFC 3265)
  v: 'via', // RFC 3261
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224 (RFC 4474)
};

/** Ids of the headers the parser validates eagerly. */
export const H_OTHER = 0;
export const H_VIA = 1;
export const H_FROM = 2;
export const H_TO = 3;
export const H_CALL_ID = 4;
export const H_CSEQ = 5;
export const H_MAX_FORWARDS = 6;
export const H_CONTENT_LENGTH = 7;
export const H_CONTACT = 8;
export const H_EXPIRES = 9;

/** A header's lookup key (lower-case long name) and parser id. */
export interface HeaderKey {
  readonly key: string;
  readonly id: number;
}

const IDS: Record<string, number> = {
  via: H_VIA,
  from: H_FROM,
  to: H_TO,
  'call-id': H_CALL_ID,
  cseq: H_CSEQ,
  'max-forwards': H_MAX_FORWARDS,
  'content-length': H_CONTENT_LENGTH,
  contact: H_CONTACT,
  expires: H_EXPIRES,
};

/** Canonical spelling of well-known headers, by key. */
export const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'max-forwards': 'Max-Forwards',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  contact: 'Contact',
  expires: 'Expires',
  'www-authenticate': 'WWW-Authenticate',
  'proxy-authenticate': 'Proxy-Authenticate',
  authorization: 'Authorization',
  'proxy-authorization': 'Proxy-Authorization',
  'record-route': 'Record-Route',
  route: 'Route',
  'user-agent': 'User-Agent',
  server: 'Server',
  allow: 'Allow',
  supported: 'Supported',
  require: 'Require',
  'proxy-require': 'Proxy-Require',
  unsupported: 'Unsupported',
  event: 'Event',
  'allow-events': 'Allow-Events',
  'subscription-state': 'Subscription-State',
  'min-expires': 'Min-Expires',
  timestamp: 'Timestamp',
  accept: 'Accept',
  'content-encoding': 'Content-Encoding',
  subject: 'Subject',
  'refer-to': 'Refer-To',
  'referred-by': 'Referred-By',
  'session-expires': 'Session-Expires',
  identity: 'Identity',
  'identity-info': 'Identity-Info',
  'accept-contact': 'Accept-Contact',
  'reject-contact': 'Reject-Contact',
  'request-disposition': 'Request-Disposition',
  'retry-after': 'Retry-After',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'authentication-info': 'Authentication-Info',
  date: 'Date',
  warning: 'Warning',
  'error-info': 'Error-Info',
  'call-info': 'Call-Info',
};

/**
 * Headers whose value is not a comma-separated list (RFC 3261 section 7.3.1:
 * only `#list` headers may be split/combined), so getHeaderList never splits them.
 */
export const NON_LIST_HEADERS: ReadonlySet<string> = new Set([
  'www-authenticate',
  'authorization',
  'proxy-authenticate',
  'proxy-authorization',
  'authentication-info',
  'date',
  'call-id',
  'cseq',
  'from',
  'to',
  'content-length',
  'content-type',
  'content-disposition',
  'max-forwards',
  'expires',
  'min-expires',
  'retry-after',
  'subject',
  'user-agent',
  'server',
  'organization',
  'timestamp',
  'priority',
  'mime-version',
  'reply-to',
  'event',
  'subscription-state',
  'refer-to',
  'referred-by',
  'identity',
  'identity-info',
  'session-expires',
  'min-se',
  'sip-etag',
  'sip-if-match',
  'rack',
  'rseq',
  'replaces',
  'target-dialog',
  'join',
  'p-charging-vector',
]);

const cache = new Map<string, HeaderKey>();
const CACHE_LIMIT = 4096;

function compute(name: string): HeaderKey {
  let key = name.toLowerCase();
  if (key.length === 1) key = COMPACT_FORMS[key] ?? key;
  return { key, id: IDS[key] ?? H_OTHER };
}

for (const long of Object.keys(CANONICAL_NAMES)) {
  const canonical = CANONICAL_NAMES[long] as string;
  for (const n of [long, canonical, long.toUpperCase()]) cache.set(n, compute(n));
}
for (const letter of Object.keys(COMPACT_FORMS)) {
  cache.set(letter, compute(letter));
  cache.set(letter.toUpperCase(), compute(letter));
}

/** A well-known header: lower-case and canonical spellings. */
export interface KnownHeader {
  readonly lower: string;
  readonly canonical: string;
  readonly hk: HeaderKey;
}

// buckets by length and first letter, so a lookup compares about one candidate
const BUCKETS: (KnownHeader[] | undefined)[] = [];
function bucketOf(len: number, first: number): number {
  return len * 32 + ((first | 0x20) & 31);
}
for (const long of Object.keys(CANONICAL_NAMES)) {
  const b = bucketOf(long.length, long.charCodeAt(0));
  (BUCKETS[b] ??= []).push({ lower: long, canonical: CANONICAL_NAMES[long] as string, hk: compute(long) });
}
const BY_LETTER: (HeaderKey | undefined)[] = new Array<HeaderKey | undefined>(128).fill(undefined);
for (const letter of Object.keys(COMPACT_FORMS)) {
  const hk = compute(letter);
  BY_LETTER[letter.charCodeAt(0)] = hk;
  BY_LETTER[letter.toUpperCase().charCodeAt(0)] = hk;
}

/**
 * Set by {@link knownHeader}: true when the name was spelled exactly as
 * the canonical name, so that the canonical string can stand for it.
 */
export let knownHeaderExact = false;

/**
 * The well-known header (long form, 2+ chars) whose name is s[start, end),
 * compared case-insensitively without slicing or hashing; undefined for
 * other names. Sets {@link knownHeaderExact}.
 */
export function knownHeader(s: string, start: number, end: number): KnownHeader | undefined {
  const len = end - start;
  if (len < 2 || len > 63) return undefined;
  const list = BUCKETS[bucketOf(len, s.charCodeAt(start))];
  if (list === undefined) return undefined;
  for (let j = 0; j < list.length; j++) {
    const cand = list[j] as KnownHeader;
    const lower = cand.lower;
    const canonical = cand.canonical;
    let exact = true;
    let k = 0;
    while (k < len) {
      const c = s.charCodeAt(start + k);
      const n = lower.charCodeAt(k);
      // letters compare case-insensitively, other chars exactly
      if (c !== n && (n < 97 || (c | 0x20) !== n)) break;
      if (exact && c !== canonical.charCodeAt(k)) exact = false;
      k++;
    }
    if (k === len) {
      knownHeaderExact = exact;
      return cand;
    }
  }
  return undefined;
}

/** The key and id of a one-letter (compact form) header name, or undefined. */
export function compactHeaderKey(c: number): HeaderKey | undefined {
  return c < 128 ? BY_LETTER[c] : undefined;
}

/**
 * The key (lower-case long form, compact forms expanded) and id of a
 * header name. Names are cached, bounded, so that lookups are one hash.
 */
export function headerKeyOf(name: string): HeaderKey {
  let k = cache.get(name);
  if (k !== undefined) return k;
  k = compute(name);
  if (cache.size < CACHE_LIMIT) {
    // copy so that the cache never pins the message a sliced name came from
    cache.set(name.length > 12 ? Buffer.from(name, 'utf8').toString('utf8') : name, k);
  }
  return k;
}

/** The lower-case long form of a header name (compact forms expanded). */
export function headerKey(name: string): string {
  return headerKeyOf(name).key;
}

/** True when values of the header with this key are comma-separated lists. */
export function isListHeader(key: string): boolean {
  return !NON_LIST_HEADERS.has(key);
}
