/**
 * The Autodiscover endpoints: POX at `/autodiscover/autodiscover.xml`
 * ([MS-OXDSCLI]) and SOAP at `/autodiscover/autodiscover.svc`
 * ([MS-OXWSADISC]), each also under the `/Autodiscover/Autodiscover.*`
 * spelling Outlook and Lync use. Both tell an authenticated client openum's
 * EWS URL.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { poxErrorResponse, poxSettingsResponse, readPoxRequest, POX_MAX_BYTES } from './autodiscover-pox.js';
import { legacyDnOf, localPartOf, type AutodiscoverUser } from './autodiscover-shared.js';
import {
  AutodiscoverFault,
  getUserSettingsErrorResponse,
  getUserSettingsResponse,
  MAX_USERS_PER_REQUEST,
  readGetUserSettings,
  soapContentType,
  soapFault,
  SOAP_MAX_BYTES,
  type UserSettingsResult,
} from './autodiscover-soap.js';

/** What the Autodiscover routes need from the app. */
export interface AutodiscoverDeps {
  /** The absolute URL of openum's EWS endpoint as this request's client should reach it. */
  ewsUrl(req: FastifyRequest): string;
  /**
   * The user an address's local part (the text before `@`) names, as a user
   * name or an extension; undefined when none.
   */
  findUser(localPart: string): Promise<AutodiscoverUser | undefined>;
  /**
   * Checks the request's credentials: the user name, or undefined after it
   * has itself sent the 401 (with {@link autodiscoverUnauthorizedHeaders}).
   */
  authenticate(req: FastifyRequest, reply: FastifyReply): Promise<string | undefined>;
  /** The clock of the POX error's Time attribute (default: the real one). */
  now?(): Date;
}

export { autodiscoverUnauthorizedHeaders } from './autodiscover-shared.js';

/** The paths, in both spellings clients use (fastify's router is case-sensitive by default). */
const POX_PATHS = ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml'];
const SOAP_PATHS = ['/autodiscover/autodiscover.svc', '/Autodiscover/Autodiscover.svc'];
/** Body types read as XML; anything else gets 415. */
const XML_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];
const POX_TYPE = 'text/xml; charset=utf-8';

/** The SOAP settings openum knows for a user ([MS-OXWSADISC] UserSettingName). */
function userSettingValues(user: AutodiscoverUser, ewsUrl: string): Map<string, string> {
  return new Map([
    ['InternalEwsUrl', ewsUrl],
    ['ExternalEwsUrl', ewsUrl],
    ['UserDisplayName', user.displayName ?? user.name],
    ['UserDN', legacyDnOf(user.name)],
  ]);
}

async function lookUp(deps: AutodiscoverDeps, address: string): Promise<AutodiscoverUser | undefined> {
  const local = localPartOf(address);
  return local === undefined ? undefined : deps.findUser(local);
}

function isSoapPath(req: FastifyRequest): boolean {
  return (req.routeOptions.url ?? '').toLowerCase().endsWith('.svc');
}

/**
 * Registers the POX and SOAP Autodiscover routes in their own encapsulated
 * scope: their XML body parser (a Buffer, at most 64 KB) and their error
 * handler (fastify's own errors, e.g. 413 or 415, leave as a SOAP fault or a
 * POX error rather than JSON) touch no other route. Every request is
 * authenticated first (`deps.authenticate`).
 */
export function registerAutodiscoverRoutes(app: FastifyInstance, deps: AutodiscoverDeps): void {
  const now = deps.now ?? (() => new Date());

  async function pox(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const user = await deps.authenticate(req, reply);
    if (user === undefined) return reply;
    const send = (body: string) => reply.code(200).header('Content-Type', POX_TYPE).send(body);
    if (req.method !== 'POST') return send(poxErrorResponse(600, 'Invalid Request', now()));
    const r = readPoxRequest(req.body);
    if (!r.ok) return send(poxErrorResponse(r.code, r.message, now()));
    const found = await lookUp(deps, r.emailAddress);
    if (!found) return send(poxErrorResponse(500, 'The e-mail address cannot be found.', now()));
    return send(
      poxSettingsResponse({
        emailAddress: r.emailAddress,
        displayName: found.displayName ?? found.name,
        ewsUrl: deps.ewsUrl(req),
      }),
    );
  }

  async function soap(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const user = await deps.authenticate(req, reply);
    if (user === undefined) return reply;
    let request;
    try {
      request = readGetUserSettings(req.body, req.headers['content-type']);
    } catch (e) {
      if (!(e instanceof AutodiscoverFault)) throw e;
      return reply.code(500).header('Content-Type', soapContentType(e.soap)).send(soapFault(e));
    }
    reply.code(200).header('Content-Type', soapContentType(request.soap));
    if (request.mailboxes.length > MAX_USERS_PER_REQUEST) {
      const why = `A request may name at most ${MAX_USERS_PER_REQUEST} users`;
      return reply.send(getUserSettingsErrorResponse(request.soap, 'InvalidRequest', why));
    }
    const ewsUrl = deps.ewsUrl(req);
    const results: UserSettingsResult[] = [];
    for (const mailbox of request.mailboxes) {
      const found = await lookUp(deps, mailbox);
      results.push(
        found ? { kind: 'user', values: userSettingValues(found, ewsUrl) } : { kind: 'invalid-user', mailbox },
      );
    }
    return reply.send(getUserSettingsResponse(request.soap, request.settings, results));
  }

  void app.register(async (scope) => {
    // Only this scope's parsers: an XML parser registered elsewhere (EWS) cannot clash with ours.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      XML_TYPES,
      { parseAs: 'buffer', bodyLimit: Math.max(POX_MAX_BYTES, SOAP_MAX_BYTES) },
      (_req, body, done) => done(null, body),
    );
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      const reason = status >= 500 ? 'internal error' : err.message;
      if (isSoapPath(req)) {
        const fault = new AutodiscoverFault('1.1', status < 500, reason);
        return reply.code(status).header('Content-Type', soapContentType('1.1')).send(soapFault(fault));
      }
      const code = status >= 500 ? 603 : 600;
      return reply
        .code(status)
        .header('Content-Type', POX_TYPE)
        .send(poxErrorResponse(code, reason, now()));
    });
    for (const url of POX_PATHS) {
      scope.post(url, { bodyLimit: POX_MAX_BYTES }, pox);
      // Lync's first, unauthenticated probe may be a GET: it gets the 401; an authenticated GET error 600.
      scope.get(url, pox);
    }
    for (const url of SOAP_PATHS) {
      scope.post(url, { bodyLimit: SOAP_MAX_BYTES }, soap);
      // NTLM clients (ews-javascript-api) send their NEGOTIATE on a GET and expect the CHALLENGE there
      scope.get(url, async (req, reply) => {
        const user = await deps.authenticate(req, reply);
        if (user === undefined) return reply;
        return reply.code(405).header('Allow', 'POST').header('Content-Type', 'text/plain').send('POST a SOAP request');
      });
    }
  });
}
