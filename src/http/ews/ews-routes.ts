/**
 * `POST /EWS/Exchange.asmx`: EWS over SOAP ([MS-OXWSCORE] and friends; the
 * wire facts the project measured with two real clients are in
 * PROTOCOLS.md section 5). Clients send no SOAPAction: the operation is the
 * first child element of `soap:Body`. The answer is in the request's SOAP
 * version (1.1 from every client seen) with `ServerVersionInfo`
 * Exchange2010_SP1 in the header.
 *
 * Authentication ([MS-OXWSCORE] leaves it to HTTP): Basic with the SIP
 * user's password (RFC 7617), checked against the stored HA1 as the REST
 * API does; over plain HTTP only from loopback unless
 * `allowInsecureBasic`, since Basic sends the password itself. NTLM, when
 * given an authenticator, for clients that speak only that (Lync Phone
 * Edition). A request that cannot run at all (not XML, a DOCTYPE, no
 * operation, one openum does not support) gets a SOAP fault with HTTP 500
 * (SOAP 1.1 section 6.2); a failure of one item is that item's response
 * message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { XmlError } from '../../base/xml/xml-error.js';
import { parseXmlTree, type XmlElement } from '../../base/xml/xml-tree.js';
import { authenticateApi, type ApiCredentials } from '../api-auth.js';
import { EwsRequestError, runEwsOperation, type EwsMessages } from './ews-operations.js';
import { M_NS, SOAP12_NS, SOAP_NS, T_NS } from './ews-xml.js';

/** Largest request body: EWS requests from a voicemail client are a few KB. */
const BODY_LIMIT = 1024 * 1024;

export const EWS_PATHS = ['/EWS/Exchange.asmx', '/ews/exchange.asmx'];

/** Another way in than Basic (NTLM): a user name, or undefined after it answered itself (a 401 with its challenge). */
export type ExtraAuth = (req: FastifyRequest, reply: FastifyReply) => Promise<{ user?: string; replied: boolean }>;

export interface EwsDeps {
  messages: EwsMessages;
  credentials: ApiCredentials;
  /** Accept Basic over plain HTTP from anywhere, not only from loopback. */
  allowInsecureBasic?: boolean;
  /** Tried before Basic when the request carries its scheme (NTLM). */
  extraAuth?: { scheme: string; run: ExtraAuth };
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function envelope(soapNs: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${soapNs}"><s:Header>` +
    `<h:ServerVersionInfo xmlns:h="${T_NS}" MajorVersion="14" MinorVersion="1" MajorBuildNumber="218" ` +
    `MinorBuildNumber="15" Version="Exchange2010_SP1"/></s:Header>` +
    `<s:Body xmlns:m="${M_NS}" xmlns:t="${T_NS}">${body}</s:Body></s:Envelope>`
  );
}

function fault(soapNs: string, reason: string): string {
  const safe = reason.replace(/[<&>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
  const body =
    soapNs === SOAP12_NS
      ? `<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">${safe}</s:Text></s:Reason></s:Fault>`
      : `<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">${safe}</faultstring></s:Fault>`;
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${soapNs}"><s:Body>${body}</s:Body></s:Envelope>`;
}

/** The operation element of a SOAP request: the first element child of its Body. */
function operationOf(root: XmlElement): XmlElement {
  if (root.local !== 'Envelope' || (root.ns !== SOAP_NS && root.ns !== SOAP12_NS)) {
    throw new EwsRequestError('not a SOAP envelope');
  }
  const body = root.children.find((c) => c.ns === root.ns && c.local === 'Body');
  const op = body?.children[0];
  if (!op) throw new EwsRequestError('the SOAP Body holds no operation');
  return op;
}

export function registerEwsRoutes(app: FastifyInstance, deps: EwsDeps): void {
  const schemes = deps.extraAuth ? `${deps.extraAuth.scheme}, Basic realm="openum"` : 'Basic realm="openum"';

  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const header = req.headers.authorization;
    const extra = deps.extraAuth;
    if (extra && header?.toLowerCase().startsWith(`${extra.scheme.toLowerCase()} `)) {
      const r = await extra.run(req, reply);
      if (r.user !== undefined || r.replied) return r.user;
    }
    const basicAllowed = deps.allowInsecureBasic || req.protocol === 'https' || isLoopback(req.socket.remoteAddress);
    const caller = basicAllowed ? authenticateApi(header, deps.credentials) : undefined;
    if (caller?.kind === 'user') return caller.name;
    const why = basicAllowed
      ? 'the SIP user name and password are required'
      : 'Basic is refused over plain HTTP from another host (use TLS, NTLM or --allow-insecure-basic)';
    void reply.code(401).header('WWW-Authenticate', schemes).header('Content-Type', 'text/plain').send(why);
    return undefined;
  }

  void app.register(async (scope) => {
    scope.addContentTypeParser(
      ['text/xml', 'application/soap+xml', 'application/xml'],
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    for (const path of EWS_PATHS) {
      scope.post(path, async (req, reply) => {
        const user = await authenticate(req, reply);
        if (user === undefined) return reply;
        let soapNs = SOAP_NS;
        try {
          const root = parseXmlTree(req.body, BODY_LIMIT);
          if (root.ns === SOAP12_NS) soapNs = SOAP12_NS;
          const answer = await runEwsOperation(operationOf(root), user, deps.messages);
          return reply.header('Content-Type', 'text/xml; charset=utf-8').send(envelope(soapNs, answer));
        } catch (e) {
          if (e instanceof XmlError || e instanceof EwsRequestError) {
            return reply.code(500).header('Content-Type', 'text/xml; charset=utf-8').send(fault(soapNs, e.message));
          }
          throw e;
        }
      });
    }
  });
}
