/**
 * Plain-old-XML Autodiscover ([MS-OXDSCLI]): the request Outlook and Lync
 * post to `/autodiscover/autodiscover.xml` and the `outlook/responseschema/2006a`
 * answer that carries the EWS URL. Requests are read with the project's XML
 * tree (names resolved, no DOCTYPE); answers are written by hand because
 * they are a few fixed elements whose only variable parts are escaped text.
 */
import { escapeXmlAttr } from '../../base/xml/xml-escape.js';
import { parseXmlTree, type XmlElement } from '../../base/xml/xml-tree.js';
import { XmlError } from '../../base/xml/xml-error.js';

/** Namespace of the request ([MS-OXDSCLI], the request schema). */
export const POX_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
/** Namespace of the outer `Autodiscover` element of every answer ([MS-OXDSCLI], the response schema). */
export const POX_RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
/** The one response schema openum provides ([MS-OXDSCLI], the outlook response schema). */
export const POX_OUTLOOK_RESPONSE_NS =
  'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** Largest POX request body read (bytes). */
export const POX_MAX_BYTES = 64 * 1024;

/**
 * The codes of the Error element ([MS-OXDSCLI] section 2.2.4.1.1.3) openum sends: 500 the
 * address cannot be found, 600 invalid request, 601 no provider for the
 * requested response schema, 603 internal error.
 */
export type PoxErrorCode = 500 | 600 | 601 | 603;

/** What a POX request asks ([MS-OXDSCLI] request), or why it cannot be answered. */
export type PoxRequest =
  { ok: true; emailAddress: string; responseSchema: string } | { ok: false; code: PoxErrorCode; message: string };

function child(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === POX_REQUEST_NS && c.local === local);
}

/**
 * Reads a POX request: `Autodiscover/Request` in the outlook request
 * namespace with `EMailAddress` and `AcceptableResponseSchema` ([MS-OXDSCLI]
 * request schema). A body that is not XML, carries a DOCTYPE (refused:
 * external entities) or is another document is error 600; a response schema
 * other than `outlook/responseschema/2006a` is 601. A missing
 * `AcceptableResponseSchema` is taken as 2006a.
 */
export function readPoxRequest(body: unknown): PoxRequest {
  let root: XmlElement;
  try {
    root = parseXmlTree(body, POX_MAX_BYTES);
  } catch (e) {
    if (e instanceof XmlError) return { ok: false, code: 600, message: `Invalid Request: ${e.message}` };
    throw e;
  }
  if (root.ns !== POX_REQUEST_NS || root.local !== 'Autodiscover') {
    return { ok: false, code: 600, message: 'Invalid Request: not an outlook/requestschema/2006 Autodiscover request' };
  }
  const request = child(root, 'Request');
  const email = request && child(request, 'EMailAddress')?.text.trim();
  if (!email) return { ok: false, code: 600, message: 'Invalid Request: no EMailAddress' };
  const schema = (request && child(request, 'AcceptableResponseSchema')?.text.trim()) || POX_OUTLOOK_RESPONSE_NS;
  if (schema !== POX_OUTLOOK_RESPONSE_NS) {
    return {
      ok: false,
      code: 601,
      message: `The Autodiscover server cannot provide configuration of the type ${schema.slice(0, 120)}`,
    };
  }
  return { ok: true, emailAddress: email, responseSchema: schema };
}

/** What a settings answer says. */
export interface PoxSettings {
  /** The address the client asked about (echoed as `AutoDiscoverSMTPAddress`). */
  emailAddress: string;
  displayName: string;
  /** The absolute URL of openum's EWS endpoint. */
  ewsUrl: string;
}

const x = escapeXmlAttr;

function protocol(type: 'EXCH' | 'EXPR', ewsUrl: string): string {
  // ASUrl (the availability service) is the EWS URL on Exchange too; older clients read it.
  return `<Protocol><Type>${type}</Type><ASUrl>${x(ewsUrl)}</ASUrl><EwsUrl>${x(ewsUrl)}</EwsUrl></Protocol>`;
}

/**
 * The settings answer ([MS-OXDSCLI] section 2.2.4.1.1, Response): `User` with its
 * display name, `Account` with AccountType `email`, Action `settings` and a
 * Protocol `EXCH` (inside the network) and `EXPR` (outside) each with the
 * same `EwsUrl` (openum has one EWS endpoint).
 */
export function poxSettingsResponse(s: PoxSettings): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Autodiscover xmlns="${POX_RESPONSE_NS}">` +
    `<Response xmlns="${POX_OUTLOOK_RESPONSE_NS}">` +
    `<User><DisplayName>${x(s.displayName)}</DisplayName>` +
    `<AutoDiscoverSMTPAddress>${x(s.emailAddress)}</AutoDiscoverSMTPAddress></User>` +
    '<Account><AccountType>email</AccountType><Action>settings</Action>' +
    protocol('EXCH', s.ewsUrl) +
    protocol('EXPR', s.ewsUrl) +
    '</Account></Response></Autodiscover>'
  );
}

/** `hh:mm:ss.fffffff` of a moment (UTC), the form of the Error element's Time attribute. */
function timeOfDay(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const ms = String(now.getUTCMilliseconds()).padStart(3, '0');
  return `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}.${ms}0000`;
}

/**
 * The error answer ([MS-OXDSCLI] section 2.2.4.1.1.3, Error): `Autodiscover/Response/Error`
 * with `Time`, `ErrorCode`, `Message` and an empty `DebugData`, all in the
 * generic response namespace. `now` fills the Time attribute.
 */
export function poxErrorResponse(code: PoxErrorCode, message: string, now: Date): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Autodiscover xmlns="${POX_RESPONSE_NS}"><Response>` +
    `<Error Time="${timeOfDay(now)}" Id="0">` +
    `<ErrorCode>${code}</ErrorCode><Message>${x(message)}</Message><DebugData />` +
    '</Error></Response></Autodiscover>'
  );
}
