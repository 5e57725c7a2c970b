/**
 * The test clients' answer to a Digest challenge (RFC 3261 section 22.4,
 * RFC 7616 section 3.4, RFC 8760): the one used by the scripted phones, the
 * scenario tests, the register relay and the SIP probe.
 */
import { computeDigestResponse, computeHa1, parseChallenge, type DigestAlgorithm } from '../../src/sip/auth/index.js';

export interface DigestAnswerOptions {
  method: string;
  /** the `uri` parameter (the Request-URI as the client sends it) */
  uri: string;
  user: string;
  password: string;
  /** nonce-count, default 1; written as 8 hex digits */
  nc?: number;
  /** default 'c0ffee' */
  cnonce?: string;
}

/**
 * The `Authorization` value (from `Digest` on) answering `challenge` (a
 * `WWW-Authenticate` value) for `method uri`: with the challenge's
 * algorithm (MD5 when it names none), qop=auth when offered (else the
 * RFC 2069 form), and its opaque echoed.
 */
export function digestAnswer(challenge: string, o: DigestAnswerOptions): string {
  const c = parseChallenge(challenge);
  const algorithm = c.algorithm ?? 'MD5';
  const alg = algorithm as DigestAlgorithm;
  const ha1 = computeHa1(o.user, c.realm, o.password, alg);
  const head = `Digest username="${o.user}", realm="${c.realm}", nonce="${c.nonce}", uri="${o.uri}", `;
  const opaque = c.opaque === undefined ? '' : `, opaque="${c.opaque}"`;
  if (c.qop?.includes('auth') !== true) {
    const response = computeDigestResponse({ algorithm: alg, ha1, method: o.method, uri: o.uri, nonce: c.nonce });
    return `${head}response="${response}", algorithm=${algorithm}${opaque}`;
  }
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? 'c0ffee';
  const response = computeDigestResponse({
    algorithm: alg,
    ha1,
    method: o.method,
    uri: o.uri,
    nonce: c.nonce,
    nc,
    cnonce,
    qop: 'auth',
  });
  return `${head}response="${response}", algorithm=${algorithm}, cnonce="${cnonce}", qop=auth, nc=${nc}${opaque}`;
}
