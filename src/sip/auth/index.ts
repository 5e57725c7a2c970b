/**
 * SIP digest authentication, server side (RFC 3261 section 22, RFC 8760,
 * RFC 7616): header values, HA1, nonces, nonce-count tracking, DigestServer.
 *
 * @module
 */

export {
  DigestParseError,
  MAX_AUTH_VALUE_LENGTH,
  formatChallenge,
  formatCredentials,
  isNonceCount,
  parseChallenge,
  parseCredentials,
  type DigestChallenge,
  type DigestCredentials,
  type DigestParseErrorCode,
} from './auth-header.js';
export {
  DIGEST_ALGORITHMS,
  UnsupportedDigestAlgorithmError,
  computeHa1,
  digestHash,
  digestHexLength,
  isHex,
  parseDigestAlgorithm,
  type DigestAlgorithm,
} from './ha1.js';
export { computeDigestResponse, computeHa2, type DigestResponseInput } from './digest-response.js';
export { DEFAULT_NONCE_TTL_MS, NONCE_LENGTH, NonceIssuer, type NonceCheck, type NowClock } from './nonce.js';
export {
  DEFAULT_MAX_TRACKED_NONCES,
  NC_WINDOW,
  NonceCountTracker,
  type NonceCountCheck,
} from './nonce-count-tracker.js';
export {
  DigestServer,
  type DigestFailureReason,
  type DigestResult,
  type DigestServerOptions,
  type DigestVerifyRequest,
} from './digest-server.js';
export {
  RequestAuthenticator,
  type AuthOutcome,
  type DigestAccount,
  type RequestAuthenticatorOptions,
} from './request-authenticator.js';
