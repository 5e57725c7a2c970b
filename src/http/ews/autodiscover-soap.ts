/**
 * SOAP Autodiscover ([MS-OXWSADISC]): the GetUserSettings operation EWS
 * clients post to `/autodiscover/autodiscover.svc` (ews-javascript-api
 * implements only this form), its answer, and SOAP faults. SOAP 1.1 and 1.2
 * envelopes are both read; the answer uses the request's version. Requests
 * are read with the project's XML tree (names resolved, no DOCTYPE); answers
 * are written by hand: fixed elements whose only variable parts are escaped
 * text.
 */
import { escapeXmlAttr } from '../../base/xml/xml-escape.js';
import { XmlError } from '../../base/xml/xml-error.js';
import { childElement, childElements, parseXmlTree, type XmlElement } from '../../base/xml/xml-tree.js';
import { AUTODISCOVER_SERVER_VERSION } from './autodiscover-shared.js';

/** SOAP 1.1 envelope namespace. */
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** SOAP 1.2 envelope namespace. */
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** WS-Addressing 1.0 ([MS-OXWSADISC] namespaces). */
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
/** The Autodiscover messages and types ([MS-OXWSADISC] namespaces). */
export const AUTODISCOVER_NS = 'http://schemas.microsoft.com/exchange/2010/Autodiscover';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** WS-Addressing Action of the request ([MS-OXWSADISC] GetUserSettings operation). */
export const GET_USER_SETTINGS_ACTION = `${AUTODISCOVER_NS}/Autodiscover/GetUserSettings`;
/** WS-Addressing Action of the answer. */
export const GET_USER_SETTINGS_RESPONSE_ACTION = `${AUTODISCOVER_NS}/Autodiscover/GetUserSettingsResponse`;

/** Largest SOAP request body read (bytes). */
export const SOAP_MAX_BYTES = 64 * 1024;
/** Most users one request may name (Exchange's own limit). */
export const MAX_USERS_PER_REQUEST = 100;

export type SoapVersion = '1.1' | '1.2';

/** Content-Type of a SOAP answer of a version (SOAP 1.1 section 6.1.1, SOAP 1.2 part 2 section 7.1.4). */
export function soapContentType(v: SoapVersion): string {
  return v === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8';
}

/**
 * A request openum will not answer with a GetUserSettings response: the SOAP
 * fault to send instead. `sender` is the client's fault (SOAP 1.1 `Client`,
 * 1.2 `Sender`), otherwise openum's (`Server`/`Receiver`).
 */
export class AutodiscoverFault extends Error {
  override readonly name = 'AutodiscoverFault';
  constructor(
    readonly soap: SoapVersion,
    readonly sender: boolean,
    reason: string,
  ) {
    super(reason);
  }
}

/** A GetUserSettings request ([MS-OXWSADISC] GetUserSettingsRequestMessage). */
export interface GetUserSettingsRequest {
  soap: SoapVersion;
  /** The `Mailbox` of each `Users/User`, trimmed, in order. */
  mailboxes: string[];
  /** The `RequestedSettings/Setting` names, in order, duplicates dropped. */
  settings: string[];
  /** The `RequestedServerVersion` header, when sent. */
  requestedServerVersion: string | undefined;
}

/**
 * Reads a GetUserSettings request: the envelope (1.1 or 1.2 by its
 * namespace), the WS-Addressing `Action` when present (it must name
 * GetUserSettings), and the body's first element, which must be
 * `GetUserSettingsRequestMessage/Request` with `Users` and
 * `RequestedSettings` ([MS-OXWSADISC] GetUserSettingsRequestMessage, GetUserSettingsRequest).
 * `contentType` picks the fault's SOAP version when the body is not even an
 * envelope.
 * @throws AutodiscoverFault (only): not XML, a DOCTYPE (refused: external
 * entities), not an envelope, another operation, no users or settings.
 */
export function readGetUserSettings(body: unknown, contentType: string | undefined): GetUserSettingsRequest {
  const guess: SoapVersion = /application\/soap\+xml/i.test(contentType ?? '') ? '1.2' : '1.1';
  let root: XmlElement;
  try {
    root = parseXmlTree(body, SOAP_MAX_BYTES);
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    const what = e.code === 'doctype' ? 'a DOCTYPE is not accepted' : e.message;
    throw new AutodiscoverFault(guess, true, `The request is not accepted XML: ${what}`);
  }
  const envNs = root.ns;
  if ((envNs !== SOAP11_NS && envNs !== SOAP12_NS) || root.local !== 'Envelope') {
    throw new AutodiscoverFault(guess, true, 'The request is not a SOAP 1.1 or 1.2 Envelope');
  }
  const soap: SoapVersion = envNs === SOAP12_NS ? '1.2' : '1.1';
  const header = childElement(root, envNs, 'Header');
  const action = childElement(header, WSA_NS, 'Action')?.text.trim();
  const op = childElement(root, envNs, 'Body')?.children[0];
  if (!op) throw new AutodiscoverFault(soap, true, 'The SOAP Body carries no operation');
  if (op.ns !== AUTODISCOVER_NS || op.local !== 'GetUserSettingsRequestMessage') {
    const name = op.local.slice(0, 80);
    throw new AutodiscoverFault(soap, true, `The operation ${name} is not supported; openum answers GetUserSettings`);
  }
  if (action !== undefined && action !== GET_USER_SETTINGS_ACTION) {
    throw new AutodiscoverFault(
      soap,
      true,
      `The WS-Addressing Action ${action.slice(0, 160)} is not supported; openum answers ${GET_USER_SETTINGS_ACTION}`,
    );
  }
  const request = childElement(op, AUTODISCOVER_NS, 'Request');
  const mailboxes = childElements(childElement(request, AUTODISCOVER_NS, 'Users'), AUTODISCOVER_NS, 'User').map(
    (u) => childElement(u, AUTODISCOVER_NS, 'Mailbox')?.text.trim() ?? '',
  );
  const settings = [
    ...new Set(
      childElements(childElement(request, AUTODISCOVER_NS, 'RequestedSettings'), AUTODISCOVER_NS, 'Setting')
        .map((s) => s.text.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (mailboxes.length === 0) throw new AutodiscoverFault(soap, true, 'GetUserSettings names no Users/User');
  if (settings.length === 0) throw new AutodiscoverFault(soap, true, 'GetUserSettings names no RequestedSettings');
  const requestedServerVersion = childElement(header, AUTODISCOVER_NS, 'RequestedServerVersion')?.text.trim();
  return { soap, mailboxes, settings, requestedServerVersion };
}

/** The answer for one user: the settings openum knows for them, or InvalidUser. */
export type UserSettingsResult =
  { kind: 'user'; values: ReadonlyMap<string, string> } | { kind: 'invalid-user'; mailbox: string };

const x = escapeXmlAttr;

function envelopeNs(v: SoapVersion): string {
  return v === '1.2' ? SOAP12_NS : SOAP11_NS;
}

function responseHeader(): string {
  const v = AUTODISCOVER_SERVER_VERSION;
  return (
    `<s:Header><a:Action s:mustUnderstand="1">${GET_USER_SETTINGS_RESPONSE_ACTION}</a:Action>` +
    `<h:ServerVersionInfo xmlns:h="${AUTODISCOVER_NS}">` +
    `<h:MajorVersion>${v.major}</h:MajorVersion><h:MinorVersion>${v.minor}</h:MinorVersion>` +
    `<h:MajorBuildNumber>${v.majorBuild}</h:MajorBuildNumber><h:MinorBuildNumber>${v.minorBuild}</h:MinorBuildNumber>` +
    `<h:Version>${v.version}</h:Version></h:ServerVersionInfo></s:Header>`
  );
}

function envelope(v: SoapVersion, response: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<s:Envelope xmlns:s="${envelopeNs(v)}" xmlns:a="${WSA_NS}">` +
    responseHeader() +
    `<s:Body><GetUserSettingsResponseMessage xmlns="${AUTODISCOVER_NS}">` +
    `<Response xmlns:i="${XSI_NS}">${response}</Response>` +
    '</GetUserSettingsResponseMessage></s:Body></s:Envelope>'
  );
}

function userResponse(settings: readonly string[], r: UserSettingsResult): string {
  if (r.kind === 'invalid-user') {
    return (
      '<UserResponse><ErrorCode>InvalidUser</ErrorCode>' +
      `<ErrorMessage>Invalid user: '${x(r.mailbox)}'</ErrorMessage>` +
      '<UserSettingErrors /><UserSettings /></UserResponse>'
    );
  }
  let found = '';
  let missing = '';
  for (const name of settings) {
    const value = r.values.get(name);
    if (value !== undefined) {
      found += `<UserSetting i:type="StringSetting"><Name>${x(name)}</Name><Value>${x(value)}</Value></UserSetting>`;
    } else {
      missing +=
        '<UserSettingError><ErrorCode>SettingIsNotAvailable</ErrorCode>' +
        `<ErrorMessage>User setting '${x(name)}' is not available.</ErrorMessage>` +
        `<SettingName>${x(name)}</SettingName></UserSettingError>`;
    }
  }
  return (
    '<UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage>No error.</ErrorMessage>' +
    `<UserSettingErrors>${missing}</UserSettingErrors><UserSettings>${found}</UserSettings></UserResponse>`
  );
}

/**
 * The GetUserSettings answer ([MS-OXWSADISC]
 * GetUserSettingsResponseMessage): WS-Addressing Action
 * GetUserSettingsResponse and `ServerVersionInfo` in the header; one
 * `UserResponse` per requested user, in request order, each requested
 * setting either a `UserSetting i:type="StringSetting"` with Name and Value
 * or a `UserSettingError` SettingIsNotAvailable; an unknown user gets
 * ErrorCode InvalidUser.
 */
export function getUserSettingsResponse(
  v: SoapVersion,
  settings: readonly string[],
  results: readonly UserSettingsResult[],
): string {
  return envelope(
    v,
    '<ErrorCode>NoError</ErrorCode><ErrorMessage />' +
      `<UserResponses>${results.map((r) => userResponse(settings, r)).join('')}</UserResponses>`,
  );
}

/**
 * A GetUserSettings answer that refuses the whole request with an
 * Autodiscover error code ([MS-OXWSADISC] ErrorCode, e.g.
 * InvalidRequest for too many users) and no user responses.
 */
export function getUserSettingsErrorResponse(v: SoapVersion, code: 'InvalidRequest', message: string): string {
  return envelope(v, `<ErrorCode>${code}</ErrorCode><ErrorMessage>${x(message)}</ErrorMessage><UserResponses />`);
}

/**
 * A SOAP fault (SOAP 1.1 section 4.4 `faultcode`/`faultstring`, SOAP 1.2
 * part 1 section 5.4 `Code/Value`, `Reason/Text`), sent with HTTP 500.
 */
export function soapFault(f: AutodiscoverFault): string {
  const ns = envelopeNs(f.soap);
  const reason = x(f.message);
  const fault =
    f.soap === '1.2'
      ? `<s:Code><s:Value>${f.sender ? 's:Sender' : 's:Receiver'}</s:Value></s:Code>` +
        `<s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason>`
      : `<faultcode>${f.sender ? 's:Client' : 's:Server'}</faultcode><faultstring xml:lang="en">${reason}</faultstring>`;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<s:Envelope xmlns:s="${ns}"><s:Body><s:Fault>${fault}</s:Fault></s:Body></s:Envelope>`
  );
}
