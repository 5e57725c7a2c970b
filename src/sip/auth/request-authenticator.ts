import { createResponse, uriUser, type SipRequest, type SipResponse } from '../message/index.js';
import { DigestServer, type DigestServerOptions } from './digest-server.js';
import type { DigestAlgorithm } from './ha1.js';

/** What the authenticator needs of an account: its realm and the HA1 per algorithm made for it. */
export interface DigestAccount {
  readonly name: string;
  /** The realm the HA1 values were computed for (RFC 3261 section 22.1). */
  readonly realm: string;
  readonly ha1: Readonly<Record<DigestAlgorithm, string>>;
}

/** The outcome of {@link RequestAuthenticator.authenticate}: the account, or the response to send instead. */
export type AuthOutcome<A extends DigestAccount> = { user: A } | { response: SipResponse };

/** Options of {@link RequestAuthenticator}. */
export interface RequestAuthenticatorOptions<A extends DigestAccount> extends Omit<DigestServerOptions, 'realm'> {
  /** The realm of names nobody holds (the SIP domain), and of accounts made for it. */
  defaultRealm: string;
  /** An account by its name (the digest `username`). */
  byName(name: string): A | undefined;
  /** An account by the user part of a From URI: its name or an alias such as an extension. */
  byAlias(user: string): A | undefined;
}

/**
 * Digest authentication of requests from users (RFC 3261 sections 22.1 and
 * 22.4, RFC 8760) for REGISTER, SUBSCRIBE, PUBLISH and INVITE.
 *
 * The realm is per account, as Kamailio keeps a domain per subscriber row:
 * an account is challenged with the realm its HA1 values were made for, so
 * changing the server's domain locks nobody out (a password cannot be
 * re-hashed for a new realm: it is never stored). The account is the one the
 * From URI names (RFC 3261 section 22.1: the identity asserting itself);
 * names nobody holds get the default realm.
 *
 * Policy, chosen to give nothing away:
 * - no credentials, another realm, a nonce we never issued, an algorithm or
 *   qop we did not offer: 401 with fresh challenges;
 * - an expired or replayed nonce with the right password: 401 with
 *   `stale=true` (the client retries without asking its user);
 * - an unknown user and a wrong password: the same 403, the same work
 *   (the digest server compares against a dummy HA1 for unknown users);
 * - unparseable credentials: 400.
 * One thing is told: an account whose realm is not the default one is
 * challenged with its own realm, so its existence shows (the server warns
 * about such accounts at start; setting their password moves them).
 */
export class RequestAuthenticator<A extends DigestAccount> {
  private readonly servers = new Map<string, DigestServer>();

  constructor(private readonly o: RequestAuthenticatorOptions<A>) {
    this.server(o.defaultRealm); // a bad realm, secret or algorithm list throws here, not at the first request
  }

  /** The algorithms offered, in order (RFC 8760 section 2.4). */
  get algorithms(): readonly DigestAlgorithm[] {
    return this.server(this.o.defaultRealm).algorithms;
  }

  authenticate(req: SipRequest): AuthOutcome<A> {
    const digest = this.server(this.realmOf(req));
    let account: A | undefined; // the one whose HA1 the digest server checked: no second lookup on success
    const result = digest.verify({
      method: req.method,
      authorization: req.getHeaders('Authorization'),
      lookupHa1: (username, algorithm) => {
        account = this.o.byName(username);
        return account && account.realm === digest.realm ? account.ha1[algorithm] : undefined;
      },
    });
    if (result.ok) {
      if (account) return { user: account };
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

  /** 401 with one WWW-Authenticate per algorithm offered (RFC 8760 section 2.4), in the realm of the From user. */
  challenge(req: SipRequest, stale = false): SipResponse {
    const res = createResponse(req, 401, 'Unauthorized');
    for (const value of this.server(this.realmOf(req)).challenge({ stale })) res.addHeader('WWW-Authenticate', value);
    return res;
  }

  /** The realm to challenge and verify in: the From user's own, else the default. */
  private realmOf(req: SipRequest): string {
    const name = uriUser(req.from.uri);
    return (name === undefined ? undefined : this.o.byAlias(name))?.realm ?? this.o.defaultRealm;
  }

  /** One digest server per realm: nonces are bound to their realm (nonce.ts). Realms are few (one per domain ever used). */
  private server(realm: string): DigestServer {
    let s = this.servers.get(realm);
    if (!s) {
      const { defaultRealm: _d, byName: _n, byAlias: _a, ...digest } = this.o;
      s = new DigestServer({ ...digest, realm });
      this.servers.set(realm, s);
    }
    return s;
  }
}
