/**
 * Who is calling EWS or Autodiscover: the SIP user, by Basic (RFC 7617,
 * the password checked against the stored HA1 as the REST API does) or by
 * another scheme given to it (NTLM, [MS-NLMP], tried first when the request
 * carries it). Basic sends the password itself, so over plain HTTP it is
 * taken from loopback only unless `allowInsecureBasic`. A refusal is a 401
 * naming every scheme, with Exchange's `X-SOAP-Enabled` and
 * `X-WSSecurity-Enabled` headers (Lync reads them from Autodiscover's 401).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateApi, type ApiCredentials } from '../api-auth.js';
import { autodiscoverUnauthorizedHeaders } from './autodiscover-shared.js';

/** Another way in than Basic (NTLM): the user, or `replied` when it answered itself (a 401 with its challenge). */
export type ExtraAuth = (req: FastifyRequest, reply: FastifyReply) => Promise<{ user?: string; replied: boolean }>;

export interface HttpUserAuthOptions {
  credentials: ApiCredentials;
  /** Accept Basic over plain HTTP from anywhere, not only from loopback. */
  allowInsecureBasic?: boolean;
  /** Tried before Basic when the request carries its scheme (NTLM). */
  extraAuth?: { scheme: string; run: ExtraAuth };
}

/** The user name, or undefined after a 401 was sent. */
export type HttpUserAuth = (req: FastifyRequest, reply: FastifyReply) => Promise<string | undefined>;

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export function httpUserAuth(o: HttpUserAuthOptions): HttpUserAuth {
  const challenge = o.extraAuth ? [o.extraAuth.scheme, 'Basic realm="openum"'] : ['Basic realm="openum"'];
  return async (req, reply) => {
    const header = req.headers.authorization;
    const extra = o.extraAuth;
    // also without a header: NTLM keeps a connection authenticated once its handshake succeeded
    const scheme = header?.slice(0, header.indexOf(' ')).toLowerCase();
    if (extra && (header === undefined || scheme === extra.scheme.toLowerCase() || scheme === 'negotiate')) {
      const r = await extra.run(req, reply);
      if (r.user !== undefined || r.replied) return r.user;
    }
    const basicAllowed = o.allowInsecureBasic || req.protocol === 'https' || isLoopback(req.socket.remoteAddress);
    const caller = basicAllowed ? authenticateApi(header, o.credentials) : undefined;
    if (caller?.kind === 'user') return caller.name;
    const why = basicAllowed
      ? 'the SIP user name and password are required'
      : 'Basic is refused over plain HTTP from another host (use TLS, NTLM or --allow-insecure-basic)';
    void reply
      .code(401)
      .headers(autodiscoverUnauthorizedHeaders())
      .header('WWW-Authenticate', challenge)
      .header('Content-Type', 'text/plain')
      .send(why);
    return undefined;
  };
}
