/**
 * Server-side NTLM over HTTP (RFC 4559 section 4 framing, [MS-NLMP] NTLMv2):
 * the state machine of one TCP connection, independent of the web framework.
 *
 *   request without Authorization          -> none (answer 401 + `WWW-Authenticate: NTLM`)
 *   `Authorization: NTLM <NEGOTIATE>`      -> challenge (401 + `WWW-Authenticate: NTLM <CHALLENGE>`)
 *   `Authorization: NTLM <AUTHENTICATE>`   -> ok or fail (fail: 401 + `WWW-Authenticate: NTLM` again)
 *
 * NTLM authenticates the connection, not the request: the NEGOTIATE and the
 * AUTHENTICATE come on the same TCP connection, so state is kept per
 * connection object (the socket) in a WeakMap, gone with the socket. After
 * success the connection stays authenticated (as IIS does, which WinHTTP
 * clients such as Lync Phone Edition expect): later requests on it without
 * Authorization are `ok` for the same user. `Negotiate` carrying a raw
 * NTLMSSP token (not SPNEGO) is accepted too and answered in its scheme.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../base/clock.js';
import { buildChallenge, ntlmMessageType, parseAuthenticate, parseNegotiate, type NtlmNames } from './ntlm-messages.js';
import { verifyNtlmv2 } from './ntlm-verify.js';

/** What to answer for one request. */
export type NtlmOutcome =
  /** 401 with `WWW-Authenticate: <header>` (the CHALLENGE_MESSAGE). */
  | { kind: 'challenge'; header: string }
  /** Authenticated: the user name and domain as the client sent them (user names are case-insensitive). */
  | { kind: 'ok'; user: string; domain: string }
  /** 401 with {@link NTLM_OFFER}; `reason` is for the log, not for the client. */
  | { kind: 'fail'; reason: string }
  /** No NTLM in this request: answer 401 with {@link NTLM_OFFER} (or let another scheme handle it). */
  | { kind: 'none' };

/** The `WWW-Authenticate` value that offers NTLM (RFC 4559 section 4.1 names the scheme; MS clients use `NTLM`). */
export const NTLM_OFFER = 'NTLM';

/** How long a ServerChallenge may wait for its AUTHENTICATE (ms). */
const CHALLENGE_TTL_MS = 60_000;
/** Largest NTLM token accepted (bytes after base64): real AUTHENTICATE messages are well under 2 KB. */
const MAX_TOKEN = 8192;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Options of {@link NtlmAuthenticator}. */
export interface NtlmAuthenticatorOptions {
  /**
   * The stored NT hash (hex, [MS-NLMP] section 3.3.1 NTOWFv1) of a user by
   * the name NTLM sends, which the lookup must match case-insensitively;
   * undefined when there is no such user or no NT hash stored.
   */
  lookup(user: string): Promise<string | undefined>;
  /** The names for TargetName and TargetInfo (see `ntlmNamesFor`). */
  names: NtlmNames;
  /** Time for challenge expiry and MsvAvTimestamp (default: Date.now). */
  clock?: Pick<Clock, 'now'>;
  /** How long a challenge stays valid (default one minute). */
  challengeTtlMs?: number;
}

type ConnectionState =
  { kind: 'challenged'; serverChallenge: Buffer; at: number } | { kind: 'authenticated'; user: string; domain: string };

/** An all-zero NT hash: unknown users get the same HMAC work as known ones. */
const NO_HASH = '0'.repeat(32);

/**
 * The NTLM handshake per connection ([MS-NLMP] section 3.2.5, server side;
 * RFC 4559 section 4 for HTTP). Each ServerChallenge serves one
 * AUTHENTICATE only, within `challengeTtlMs`, on the connection it was sent on.
 */
export class NtlmAuthenticator {
  private readonly state = new WeakMap<object, ConnectionState>();
  private readonly clock: Pick<Clock, 'now'>;
  private readonly ttl: number;

  constructor(private readonly opts: NtlmAuthenticatorOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.ttl = opts.challengeTtlMs ?? CHALLENGE_TTL_MS;
  }

  /**
   * One request on `connection` (the socket, or any object that lives as
   * long as the TCP connection) with its `Authorization` header.
   */
  async handle(connection: object, authorization: string | undefined): Promise<NtlmOutcome> {
    const header = authorization?.trim() ?? '';
    const space = header.search(/\s/);
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    if (scheme !== 'ntlm' && scheme !== 'negotiate') {
      const s = this.state.get(connection);
      return header === '' && s?.kind === 'authenticated'
        ? { kind: 'ok', user: s.user, domain: s.domain }
        : { kind: 'none' };
    }
    const token = space < 0 ? '' : header.slice(space + 1).trim();
    if (token.length === 0 || token.length > (MAX_TOKEN * 4) / 3 + 4 || !BASE64.test(token)) {
      return scheme === 'negotiate' ? { kind: 'none' } : this.fail(connection, 'malformed NTLM token');
    }
    const msg = Buffer.from(token, 'base64');
    const type = ntlmMessageType(msg);
    // Negotiate with SPNEGO (Kerberos) is not ours: only a raw NTLMSSP token is.
    if (type === undefined && scheme === 'negotiate') return { kind: 'none' };
    if (type === 1) return this.challenge(connection, scheme, msg);
    if (type === 3) return this.authenticate(connection, msg);
    return this.fail(connection, type === undefined ? 'not an NTLM message' : `unexpected NTLM message type ${type}`);
  }

  private fail(connection: object, reason: string): NtlmOutcome {
    this.state.delete(connection);
    return { kind: 'fail', reason };
  }

  /** NEGOTIATE -> CHALLENGE with a fresh ServerChallenge ([MS-NLMP] section 3.2.5.1.1). */
  private challenge(connection: object, scheme: string, msg: Buffer): NtlmOutcome {
    const negotiate = parseNegotiate(msg);
    if (!negotiate.ok) return this.fail(connection, negotiate.error);
    const now = this.clock.now();
    const serverChallenge = randomBytes(8);
    const challenge = buildChallenge({
      negotiatedFlags: negotiate.value.flags,
      serverChallenge,
      names: this.opts.names,
      now,
    });
    this.state.set(connection, { kind: 'challenged', serverChallenge, at: now });
    const name = scheme === 'negotiate' ? 'Negotiate' : 'NTLM';
    return { kind: 'challenge', header: `${name} ${challenge.toString('base64')}` };
  }

  /** AUTHENTICATE -> ok or fail ([MS-NLMP] section 3.2.5.1.2, NTLMv2 only). The challenge is spent either way. */
  private async authenticate(connection: object, msg: Buffer): Promise<NtlmOutcome> {
    const s = this.state.get(connection);
    this.state.delete(connection);
    if (s?.kind !== 'challenged')
      return { kind: 'fail', reason: 'AUTHENTICATE without a challenge on this connection' };
    if (this.clock.now() - s.at > this.ttl) return { kind: 'fail', reason: 'challenge expired' };
    const auth = parseAuthenticate(msg);
    if (!auth.ok) return { kind: 'fail', reason: auth.error };
    const stored = auth.value.user === '' ? undefined : await this.opts.lookup(auth.value.user);
    const verdict = verifyNtlmv2(auth.value, s.serverChallenge, stored ?? NO_HASH);
    if (!verdict.ok) return { kind: 'fail', reason: verdict.reason };
    if (stored === undefined) return { kind: 'fail', reason: 'wrong user name or password' };
    this.state.set(connection, { kind: 'authenticated', user: auth.value.user, domain: auth.value.domain });
    return { kind: 'ok', user: auth.value.user, domain: auth.value.domain };
  }
}
