/**
 * The `request-digest` (the `response` parameter) of HTTP Digest as SIP uses
 * it (RFC 3261 section 22.4, RFC 7616 section 3.4.1, RFC 8760 section 2).
 *
 * ```
 * HA2      = H(method ":" digest-uri)                       (qop=auth or none)
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   (qop=auth)
 * response = H(HA1 ":" nonce ":" HA2)                       (no qop, RFC 2069)
 * ```
 * `qop=auth-int` is not implemented (never offered).
 *
 * @module
 */

import { digestHash, type DigestAlgorithm } from './ha1.js';

/** Inputs of {@link computeDigestResponse}. */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** lower-case hex HA1 (see computeHa1) */
  ha1: string;
  nonce: string;
  /** the SIP request method (RFC 3261 section 22.4: for ACK and CANCEL too) */
  method: string;
  /** the `uri` parameter exactly as the client sent it */
  uri: string;
  /** `auth` as the client wrote it; undefined for the RFC 2069 form */
  qop?: string;
  /** the 8 hex digits as the client wrote them (needed with qop) */
  nc?: string;
  /** needed with qop */
  cnonce?: string;
}

/** Computes `HA2 = H(method ":" uri)` (RFC 7616 section 3.4.3, qop=auth). */
export function computeHa2(algorithm: DigestAlgorithm, method: string, uri: string): string {
  return digestHash(algorithm, `${method}:${uri}`);
}

/**
 * Computes the expected `response` value, lower-case hex (RFC 7616 section
 * 3.4.1; without qop RFC 2617 section 3.2.2.1 / RFC 2069).
 */
export function computeDigestResponse(i: DigestResponseInput): string {
  const ha2 = computeHa2(i.algorithm, i.method, i.uri);
  if (i.qop === undefined) return digestHash(i.algorithm, `${i.ha1}:${i.nonce}:${ha2}`);
  return digestHash(i.algorithm, `${i.ha1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
}
