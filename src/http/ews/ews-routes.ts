/**
 * `POST /EWS/Exchange.asmx`: EWS over SOAP ([MS-OXWSCORE] and friends; the
 * wire facts the project measured with two real clients are in
 * PROTOCOLS.md section 5). Clients send no SOAPAction: the operation is the
 * first child element of `soap:Body`. The answer is in the request's SOAP
 * version (1.1 from every client seen) with `ServerVersionInfo`
 * Exchange2010_SP1 in the header.
 *
 * Authentication ([MS-OXWSCORE] leaves it to HTTP) is ews-auth.ts's:
 * Basic, and NTLM for clients that speak only that (Lync Phone Edition).
 * A request that cannot run at all (not XML, a DOCTYPE, no
 * operation, one openum does not support) gets a SOAP fault with HTTP 500
 * (SOAP 1.1 section 6.2); a failure of one item is that item's response
 * message.
 */
import type { FastifyInstance } from 'fastify';
import { XmlError } from '../../base/xml/xml-error.js';
import { parseXmlTree, type XmlElement } from '../../base/xml/xml-tree.js';
import { AUTODISCOVER_SERVER_VERSION as V } from './autodiscover-shared.js';
import type { HttpUserAuth } from './ews-auth.js';
import { EwsRequestError, runEwsOperation, type EwsMessages } from './ews-operations.js';
import { M_NS, SOAP12_NS, SOAP_NS, T_NS } from './ews-xml.js';

/** Largest request body: EWS requests from a voicemail client are a few KB. */
const BODY_LIMIT = 1024 * 1024;

export const EWS_PATHS = ['/EWS/Exchange.asmx', '/ews/exchange.asmx'];

export interface EwsDeps {
  messages: EwsMessages;
  /** Who is calling (Basic, NTLM): see ews-auth.ts. */
  authenticate: HttpUserAuth;
}

function envelope(soapNs: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${soapNs}"><s:Header>` +
    `<h:ServerVersionInfo xmlns:h="${T_NS}" MajorVersion="${V.major}" MinorVersion="${V.minor}" ` +
    `MajorBuildNumber="${V.majorBuild}" MinorBuildNumber="${V.minorBuild}" Version="${V.version}"/></s:Header>` +
    `<s:Body xmlns:m="${M_NS}" xmlns:t="${T_NS}">${body}</s:Body></s:Envelope>`
  );
}

function fault(soapNs: string, reason: string): string {
  // text content: the three markup characters only (quotes stay readable in the faultstring)
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
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      ['text/xml', 'application/soap+xml', 'application/xml'],
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    for (const path of EWS_PATHS) {
      // NTLM clients (ews-javascript-api) send their NEGOTIATE on a GET and expect the CHALLENGE there
      scope.get(path, async (req, reply) => {
        const user = await deps.authenticate(req, reply);
        if (user === undefined) return reply;
        return reply
          .code(405)
          .header('Allow', 'POST')
          .header('Content-Type', 'text/plain')
          .send('EWS takes SOAP by POST');
      });
      scope.post(path, async (req, reply) => {
        const user = await deps.authenticate(req, reply);
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
