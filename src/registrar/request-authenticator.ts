import type { DigestServer } from '../sip/auth/index.js';
import { createResponse, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { UserRecord, UserStore } from '../storage/ports.js';

/** The outcome of {@link RequestAuthenticator.authenticate}: the user, or the response to send instead. */
export type AuthOutcome = { user: UserRecord } | { response: SipResponse };

/**
 * Digest authentication of requests from users (RFC 3261 section 22.1 and
 * 22.4, RFC 8760): REGISTER now, SUBSCRIBE and PUBLISH later.
 *
 * Policy, chosen to give nothing away:
 * - no credentials, another realm, a nonce we never issued, an algorithm or
 *   qop we did not offer: 401 with fresh challenges;
 * - an expired or replayed nonce with the right password: 401 with
 *   `stale=true` (the client retries without asking its user);
 * - an unknown user and a wrong password: the same 403, the same work
 *   (the digest server compares against a dummy HA1 for unknown users),
 *   so a caller cannot learn which names exist;
 * - unparseable credentials: 400.
 */
export class RequestAuthenticator {
  constructor(private readonly digest: DigestServer, private readonly users: UserStore, private readonly realm: string) {}

  authenticate(req: SipRequest): AuthOutcome {
    const result = this.digest.verify({
      method: req.method,
      authorization: req.getHeaders('Authorization'),
      lookupHa1: (username, algorithm) => {
        const u = this.users.getUser(username);
        return u && u.realm === this.realm ? u.ha1[algorithm] : undefined;
      },
    });
    if (result.ok) {
      const user = this.users.getUser(result.username);
      if (user) return { user };
      return { response: createResponse(req, 403, 'Forbidden (authentication failed)') };
    }
    switch (result.reason) {
      case 'failed':
        return { response: createResponse(req, 403, 'Forbidden (authentication failed)') };
      case 'malformed':
        return { response: createResponse(req, 400, 'Bad Request (malformed Authorization)') };
      default:
        return { response: this.challenge(req, result.stale) };
    }
  }

  /** 401 with one WWW-Authenticate per algorithm offered (RFC 8760 section 2.4). */
  challenge(req: SipRequest, stale = false): SipResponse {
    const res = createResponse(req, 401, 'Unauthorized');
    for (const value of this.digest.challenge({ stale })) res.addHeader('WWW-Authenticate', value);
    return res;
  }
}
