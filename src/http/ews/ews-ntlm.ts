/**
 * NTLM ([MS-NLMP], RFC 4559 framing) as the extra way into EWS and
 * Autodiscover, for clients that speak nothing else (Lync Phone Edition).
 * The handshake is bound to the TCP connection (the socket is the key);
 * the 401 with the CHALLENGE must leave the connection open, which
 * fastify's keep-alive does. The user NTLM names is matched without regard
 * to case and without an `@domain`, then reported as the stored name.
 */
import { NtlmAuthenticator } from '../auth/ntlm-authenticator.js';
import { ntlmNamesFor } from '../auth/ntlm-messages.js';
import type { ExtraAuth } from './ews-auth.js';

/** A user as NTLM needs one: the stored name and NT hash (null until the password was set since migration 7). */
export type NtlmUserLookup = (name: string) => { name: string; ntHash: string | null } | undefined;

function canonical(lookup: NtlmUserLookup, sent: string): { name: string; ntHash: string | null } | undefined {
  const bare = sent.includes('@') ? sent.slice(0, sent.indexOf('@')) : sent;
  return lookup(bare) ?? lookup(bare.toLowerCase());
}

/** The NTLM scheme for {@link httpUserAuth}, for the SIP domain `domain`. */
export function ntlmAuth(domain: string, lookup: NtlmUserLookup): { scheme: string; run: ExtraAuth } {
  const ntlm = new NtlmAuthenticator({
    lookup: async (user) => canonical(lookup, user)?.ntHash ?? undefined,
    names: ntlmNamesFor(domain),
  });
  return {
    scheme: 'NTLM',
    run: async (req, reply) => {
      const r = await ntlm.handle(req.raw.socket, req.headers.authorization);
      if (r.kind === 'ok') {
        const u = canonical(lookup, r.user);
        if (u) return { user: u.name, replied: false };
      }
      if (r.kind === 'challenge') {
        void reply.code(401).header('WWW-Authenticate', r.header).header('Content-Type', 'text/plain').send('');
        return { replied: true };
      }
      return { replied: false }; // none or fail: the 401 offering every scheme follows
    },
  };
}
