/**
 * Digest `Authorization` / `Proxy-Authorization` credentials and
 * `WWW-Authenticate` / `Proxy-Authenticate` challenges: typed parse and
 * format of the header VALUE (RFC 3261 sections 20.7, 20.27, 20.28, 20.44,
 * 22.4; RFC 7616 sections 3.3 and 3.4; RFC 8760 section 2).
 *
 * Parameter names are case-insensitive, parameters may come in any order,
 * a parameter given twice is an error, unknown parameters are kept in
 * `extensions` (RFC 7616 section 3.3: "any unrecognized directive MUST be
 * ignored" by the consumer, but a proxy or a test may want to see them).
 *
 * @module
 */

import { DigestParseError, isToken, parseDigestParams, quoteString, tokenParam } from './auth-params.js';

export { DigestParseError, MAX_AUTH_VALUE_LENGTH, type DigestParseErrorCode } from './auth-params.js';

/**
 * The `Digest` credentials of an `Authorization` or `Proxy-Authorization`
 * header (RFC 3261 section 25.1 `digest-response`, RFC 7616 section 3.4).
 * Values are unquoted/unescaped; tokens are as written (no case folding).
 */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  /** `digest-uri`, fed as given into HA2; the caller may compare it with the Request-URI. */
  uri: string;
  /** `request-digest`: lower-case hex, 32 digits for MD5, 64 for SHA-256. */
  response: string;
  /** absent means MD5 (RFC 7616 section 3.3, RFC 3261 section 22.4) */
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  /** `message-qop`, e.g. `auth`; when present, `cnonce` and `nc` are too */
  qop?: string;
  /** `nonce-count`: exactly 8 hex digits (RFC 7616 section 3.4) */
  nc?: string;
  /** every other parameter: lower-case name to unquoted value */
  extensions: Map<string, string>;
}

/**
 * A `Digest` challenge of a `WWW-Authenticate` or `Proxy-Authenticate`
 * header (RFC 3261 section 25.1 `digest-cln`, RFC 7616 section 3.3).
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  domain?: string;
  opaque?: string;
  /** RFC 7616 section 3.3: TRUE means "retry with the new nonce, do not ask the user" */
  stale?: boolean;
  algorithm?: string;
  /** `qop-options`, e.g. `['auth']` */
  qop?: string[];
  /** every other parameter: lower-case name to unquoted value */
  extensions: Map<string, string>;
}

const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'cnonce',
  'opaque',
  'qop',
  'nc',
]);
const CHALLENGE_PARAMS: ReadonlySet<string> = new Set([
  'realm',
  'nonce',
  'domain',
  'opaque',
  'stale',
  'algorithm',
  'qop',
]);

function required(params: Map<string, string>, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw new DigestParseError('missing-param', `missing ${name} parameter`);
  return v;
}

function extensionsOf(params: Map<string, string>, known: ReadonlySet<string>): Map<string, string> {
  const ext = new Map<string, string>();
  for (const [k, v] of params) if (!known.has(k)) ext.set(k, v);
  return ext;
}

/** True for exactly 8 hexadecimal digits (RFC 3261 `nc-value = 8LHEX`; either case accepted). */
export function isNonceCount(nc: string): boolean {
  if (nc.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const c = nc.charCodeAt(i) | 0x20; // fold A-F to a-f
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * Parses the value of an `Authorization` or `Proxy-Authorization` header
 * (RFC 3261 sections 20.7 and 20.28; RFC 7616 section 3.4).
 *
 * Required: `username`, `realm`, `nonce`, `uri`, `response`; with `qop` also
 * `cnonce` and `nc` (RFC 7616 section 3.4). `nc` must be 8 hex digits.
 * `qop`, `algorithm` and `nc` are accepted quoted or bare (some UAs quote).
 *
 * @throws DigestParseError — `scheme` (with `.scheme`) for `Basic` and other
 *   schemes; `syntax`, `duplicate`, `missing-param`, `invalid-param`,
 *   `empty`, `too-long` otherwise.
 */
export function parseCredentials(value: string): DigestCredentials {
  const p = parseDigestParams(value);
  const c: DigestCredentials = {
    username: required(p, 'username'),
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    uri: required(p, 'uri'),
    response: required(p, 'response'),
    extensions: extensionsOf(p, CREDENTIAL_PARAMS),
  };
  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) c.algorithm = algorithm;
  const cnonce = p.get('cnonce');
  if (cnonce !== undefined) c.cnonce = cnonce;
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  const qop = p.get('qop');
  if (qop !== undefined) c.qop = qop;
  const nc = p.get('nc');
  if (nc !== undefined) {
    if (!isNonceCount(nc)) throw new DigestParseError('invalid-param', 'nc must be 8 hex digits');
    c.nc = nc;
  }
  if (qop !== undefined && (cnonce === undefined || nc === undefined)) {
    throw new DigestParseError('missing-param', 'qop requires cnonce and nc');
  }
  return c;
}

/**
 * Formats credentials as an `Authorization` value (the client side; used by
 * tests and any UAC of openum). `algorithm`, `qop` and `nc` are written as
 * tokens (RFC 7616 section 3.4), everything else as quoted-strings.
 *
 * @throws DigestParseError `unrepresentable` for CR/LF in a value, a
 *   non-token algorithm/qop/nc, or an extension name that is not a
 *   lower-case token or clashes with a known parameter.
 */
export function formatCredentials(c: DigestCredentials): string {
  const parts = [
    `username=${quoteString(c.username)}`,
    `realm=${quoteString(c.realm)}`,
    `nonce=${quoteString(c.nonce)}`,
    `uri=${quoteString(c.uri)}`,
    `response=${quoteString(c.response)}`,
  ];
  if (c.algorithm !== undefined) parts.push(tokenParam('algorithm', c.algorithm));
  if (c.cnonce !== undefined) parts.push(`cnonce=${quoteString(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoteString(c.opaque)}`);
  if (c.qop !== undefined) parts.push(tokenParam('qop', c.qop));
  if (c.nc !== undefined) parts.push(tokenParam('nc', c.nc));
  pushExtensions(parts, c.extensions, CREDENTIAL_PARAMS);
  return `Digest ${parts.join(', ')}`;
}

/**
 * Parses the value of a `WWW-Authenticate` or `Proxy-Authenticate` header
 * (RFC 3261 sections 20.27 and 20.44; RFC 7616 section 3.3). `stale` is
 * `true`/`false` in any case; `qop` is the quoted comma list of options.
 *
 * @throws DigestParseError as {@link parseCredentials}; `missing-param` when
 *   `realm` or `nonce` is absent.
 */
export function parseChallenge(value: string): DigestChallenge {
  const p = parseDigestParams(value);
  const c: DigestChallenge = {
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    extensions: extensionsOf(p, CHALLENGE_PARAMS),
  };
  const domain = p.get('domain');
  if (domain !== undefined) c.domain = domain;
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  const stale = p.get('stale');
  if (stale !== undefined) {
    const s = stale.toLowerCase();
    if (s !== 'true' && s !== 'false') throw new DigestParseError('invalid-param', 'stale must be true or false');
    c.stale = s === 'true';
  }
  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) c.algorithm = algorithm;
  const qop = p.get('qop');
  if (qop !== undefined) {
    const options: string[] = [];
    for (const raw of qop.split(',')) {
      const o = raw.trim();
      if (o.length === 0) continue;
      if (!isToken(o)) throw new DigestParseError('invalid-param', 'qop options must be tokens');
      options.push(o);
    }
    c.qop = options;
  }
  return c;
}

/**
 * Formats a `WWW-Authenticate` / `Proxy-Authenticate` value (RFC 3261
 * section 20.44, RFC 7616 section 3.3), e.g.
 * `Digest realm="atlanta.com", nonce="...", algorithm=SHA-256, qop="auth"`.
 * `qop` is written quoted (the `qop-options` grammar requires it), `stale`
 * as `TRUE`/`FALSE`, `algorithm` as a token.
 *
 * @throws DigestParseError `unrepresentable` (see {@link formatCredentials}).
 */
export function formatChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quoteString(c.realm)}`];
  if (c.domain !== undefined) parts.push(`domain=${quoteString(c.domain)}`);
  parts.push(`nonce=${quoteString(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoteString(c.opaque)}`);
  if (c.stale !== undefined) parts.push(c.stale ? 'stale=TRUE' : 'stale=FALSE');
  if (c.algorithm !== undefined) parts.push(tokenParam('algorithm', c.algorithm));
  if (c.qop !== undefined) {
    for (const o of c.qop) {
      if (!isToken(o)) throw new DigestParseError('unrepresentable', 'qop options must be tokens');
    }
    parts.push(`qop="${c.qop.join(',')}"`);
  }
  pushExtensions(parts, c.extensions, CHALLENGE_PARAMS);
  return `Digest ${parts.join(', ')}`;
}

function pushExtensions(parts: string[], ext: Map<string, string>, known: ReadonlySet<string>): void {
  for (const [name, v] of ext) {
    if (!isToken(name) || name !== name.toLowerCase() || known.has(name)) {
      throw new DigestParseError('unrepresentable', `bad extension parameter name ${name}`);
    }
    parts.push(`${name}=${quoteString(v)}`);
  }
}
