/**
 * Client side of SIP digest authentication (RFC 3261 sections 22.2 and
 * 22.4, RFC 7616 section 3.4, RFC 8760): pick a challenge, compute the
 * `Authorization` (or `Proxy-Authorization`) value, count nonces.
 */
import { randomBytes } from 'node:crypto';
import {
  DigestParseError,
  computeDigestResponse,
  computeHa1,
  formatCredentials,
  parseChallenge,
  parseDigestAlgorithm,
  type DigestAlgorithm,
} from '../sip/auth/index.js';
import type { SipRequest, SipResponse } from '../sip/message/index.js';

/** The challenge we answer, as learned from a 401/407. */
interface Learned {
  /** Header that carries our answer: Authorization for 401, Proxy-Authorization for 407 (RFC 3261 22.3). */
  header: 'Authorization' | 'Proxy-Authorization';
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: DigestAlgorithm;
  /** Whether the challenge named its algorithm (we then name it too). */
  namedAlgorithm: boolean;
  /** `auth`, or undefined for the RFC 2069 form (no qop offered). */
  qop: 'auth' | undefined;
}

/** What {@link DigestClient.learn} found in a 401/407. */
export interface LearnedChallenge {
  /** RFC 7616 section 3.3 `stale=true`: the password was right, only the nonce was old. */
  stale: boolean;
  algorithm: DigestAlgorithm;
}

/**
 * Answers digest challenges for one user. One instance serves every
 * request of a phone: once a challenge has been learned, later requests
 * may carry credentials for it pre-emptively (RFC 3261 section 22.1: "a UA
 * MAY pre-emptively send credentials"), counting `nc` up per request
 * (RFC 7616 section 3.4) so the server's replay check passes.
 */
export class DigestClient {
  private current: Learned | undefined;
  private nc = 0;
  private ha1Cache: { key: string; ha1: string } | undefined;

  constructor(
    private readonly user: string,
    private readonly password: string,
  ) {}

  /** True once a challenge has been learned. */
  get ready(): boolean {
    return this.current !== undefined;
  }

  /**
   * Learns the challenge of a 401 (`WWW-Authenticate`) or 407
   * (`Proxy-Authenticate`). The first one, in the order sent, that we can
   * answer wins: algorithm MD5 (also when absent) or SHA-256, and `qop`
   * offering `auth` or no `qop` at all (RFC 8760 section 2.4: the server
   * lists its preferred algorithm first). Returns undefined when no
   * challenge can be answered (the previous one, if any, is kept).
   */
  learn(res: SipResponse): LearnedChallenge | undefined {
    const proxy = res.status === 407;
    const values = res.getHeaders(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
    for (const v of values) {
      let c: ReturnType<typeof parseChallenge>;
      try {
        c = parseChallenge(v);
      } catch (e) {
        if (e instanceof DigestParseError) continue; // Basic, NTLM, garbage: not ours to answer
        throw e;
      }
      const algorithm = c.algorithm === undefined ? 'MD5' : parseDigestAlgorithm(c.algorithm);
      if (algorithm === undefined) continue;
      let qop: 'auth' | undefined;
      if (c.qop !== undefined) {
        if (!c.qop.some((q) => q.toLowerCase() === 'auth')) continue; // auth-int only
        qop = 'auth';
      }
      const sameNonce = this.current?.nonce === c.nonce;
      this.current = {
        header: proxy ? 'Proxy-Authorization' : 'Authorization',
        realm: c.realm,
        nonce: c.nonce,
        opaque: c.opaque,
        algorithm,
        namedAlgorithm: c.algorithm !== undefined,
        qop,
      };
      if (!sameNonce) this.nc = 0;
      return { stale: c.stale === true, algorithm };
    }
    return undefined;
  }

  /**
   * Adds credentials for the learned challenge to `req` (RFC 3261 section
   * 22.4): `uri` is the Request-URI, `nc` the next count, a fresh `cnonce`.
   * Does nothing before any challenge was learned. Returns whether it added one.
   */
  authorize(req: SipRequest): boolean {
    const c = this.current;
    if (c === undefined) return false;
    const uri = req.uri.toString();
    const ha1 = this.ha1(c);
    if (c.qop === undefined) {
      const response = computeDigestResponse({ algorithm: c.algorithm, ha1, nonce: c.nonce, method: req.method, uri });
      req.setHeader(
        c.header,
        formatCredentials({
          username: this.user,
          realm: c.realm,
          nonce: c.nonce,
          uri,
          response,
          extensions: new Map(),
          ...(c.namedAlgorithm && { algorithm: c.algorithm }),
          ...(c.opaque !== undefined && { opaque: c.opaque }),
        }),
      );
      return true;
    }
    this.nc = this.nc >= 0xffffffff ? 1 : this.nc + 1;
    const nc = this.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = computeDigestResponse({
      algorithm: c.algorithm,
      ha1,
      nonce: c.nonce,
      method: req.method,
      uri,
      qop: c.qop,
      nc,
      cnonce,
    });
    req.setHeader(
      c.header,
      formatCredentials({
        username: this.user,
        realm: c.realm,
        nonce: c.nonce,
        uri,
        response,
        algorithm: c.algorithm,
        cnonce,
        qop: c.qop,
        nc,
        extensions: new Map(),
        ...(c.opaque !== undefined && { opaque: c.opaque }),
      }),
    );
    return true;
  }

  /** HA1 of RFC 7616 section 3.4.2, computed once per realm and algorithm. */
  private ha1(c: Learned): string {
    const key = `${c.algorithm}\u0000${c.realm}`;
    if (this.ha1Cache?.key === key) return this.ha1Cache.ha1;
    const ha1 = computeHa1(this.user, c.realm, this.password, c.algorithm);
    this.ha1Cache = { key, ha1 };
    return ha1;
  }
}
