/**
 * What a Lync phone does after its lamp moves, for `openum phone`: find the
 * EWS URL by Autodiscover (SOAP GetUserSettings, [MS-OXWSADISC] 3.1.4.1:
 * ExternalEwsUrl, else InternalEwsUrl), then list the voice mail folder
 * (FindItem, [MS-OXWSSRCH] 3.1.4.2) newest first with the voice message
 * properties of [MS-OXOUM] 2.2.5 (0x6801 duration, 0x6802 caller number,
 * 0x6803 caller name). Basic authentication with the SIP password.
 */
import { escapeXmlAttr } from '../base/xml/xml-escape.js';
import { childElement, descendantElements, parseXmlTree, type XmlElement } from '../base/xml/xml-tree.js';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const AD = 'http://schemas.microsoft.com/exchange/2010/Autodiscover';
const M = 'http://schemas.microsoft.com/exchange/services/2006/messages';
const T = 'http://schemas.microsoft.com/exchange/services/2006/types';
const MAX_BYTES = 4 * 1024 * 1024;

/** One message as the phone shows it. */
export interface VoiceMessage {
  receivedAt: Date;
  number: string | null;
  name: string | null;
  durationS: number;
  read: boolean;
}

/** Autodiscover or EWS answered with something else than what was asked. */
export class VoiceMessagesError extends Error {
  override readonly name = 'VoiceMessagesError';
}

async function post(url: string, user: string, password: string, body: string): Promise<XmlElement> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      'content-type': 'text/xml; charset=utf-8',
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  if (r.status === 401) throw new VoiceMessagesError(`${url}: 401, the user name or password was refused`);
  if (!r.ok && r.status !== 500) throw new VoiceMessagesError(`${url}: HTTP ${r.status}`);
  const root = parseXmlTree(text, MAX_BYTES);
  const fault = descendantElements(root, '', 'faultstring')[0]?.text;
  if (fault !== undefined) throw new VoiceMessagesError(`${url}: SOAP fault: ${fault}`);
  return root;
}

/** The EWS URL of `address` from the Autodiscover SOAP endpoint at `base` (`http://HOST:PORT`). */
export async function discoverEwsUrl(base: string, address: string, user: string, password: string): Promise<string> {
  const url = `${base.replace(/\/$/, '')}/autodiscover/autodiscover.svc`;
  const body =
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}" xmlns:a="${AD}" ` +
    `xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>` +
    `<a:RequestedServerVersion>Exchange2010</a:RequestedServerVersion>` +
    `<wsa:Action>${AD}/Autodiscover/GetUserSettings</wsa:Action><wsa:To>${escapeXmlAttr(url)}</wsa:To></soap:Header>` +
    `<soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>${escapeXmlAttr(address)}</a:Mailbox>` +
    `</a:User></a:Users><a:RequestedSettings><a:Setting>ExternalEwsUrl</a:Setting><a:Setting>InternalEwsUrl</a:Setting>` +
    `</a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>`;
  const root = await post(url, user, password, body);
  const settings = new Map<string, string>();
  for (const s of descendantElements(root, AD, 'UserSetting')) {
    const name = s.children.find((c) => c.local === 'Name')?.text;
    const value = s.children.find((c) => c.local === 'Value')?.text;
    if (name && value) settings.set(name, value.trim());
  }
  const ews = settings.get('ExternalEwsUrl') ?? settings.get('InternalEwsUrl');
  if (!ews) {
    const code = descendantElements(root, AD, 'ErrorCode')
      .find((c) => c.text.trim() !== 'NoError')
      ?.text.trim();
    throw new VoiceMessagesError(`Autodiscover for ${address} gave no EWS URL${code ? ` (${code})` : ''}`);
  }
  return ews;
}

/** The voice mail folder, newest first (at most `max`). */
export async function listVoiceMessages(
  ewsUrl: string,
  user: string,
  password: string,
  max = 50,
): Promise<VoiceMessage[]> {
  const prop = (tag: number, type: string): string =>
    `<t:ExtendedFieldURI PropertyTag="0x${tag.toString(16)}" PropertyType="${type}"/>`;
  const body =
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}" xmlns:m="${M}" xmlns:t="${T}">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2010_SP1"/></soap:Header><soap:Body>` +
    `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>` +
    `<t:FieldURI FieldURI="item:DateTimeReceived"/><t:FieldURI FieldURI="message:IsRead"/>` +
    `${prop(0x6801, 'Integer')}${prop(0x6802, 'String')}${prop(0x6803, 'String')}</t:AdditionalProperties></m:ItemShape>` +
    `<m:IndexedPageItemView MaxEntriesReturned="${max}" Offset="0" BasePoint="Beginning"/>` +
    `<m:SortOrder><t:FieldOrder Order="Descending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>` +
    `<m:ParentFolderIds><t:DistinguishedFolderId Id="voicemail"/></m:ParentFolderIds></m:FindItem></soap:Body></soap:Envelope>`;
  const root = await post(ewsUrl, user, password, body);
  const response = descendantElements(root, M, 'FindItemResponseMessage')[0];
  if (!response) throw new VoiceMessagesError(`${ewsUrl}: no FindItemResponseMessage`);
  if (response.attrs.get('ResponseClass') !== 'Success') {
    const code = response.children.find((c) => c.local === 'ResponseCode')?.text;
    throw new VoiceMessagesError(`${ewsUrl}: FindItem failed (${code ?? 'no code'})`);
  }
  return descendantElements(response, T, 'Message').map((m) => {
    const field = (local: string): string | undefined => childElement(m, T, local)?.text;
    const ext = new Map<number, string>();
    for (const p of m.children.filter((c) => c.local === 'ExtendedProperty')) {
      const tag = p.children.find((c) => c.local === 'ExtendedFieldURI')?.attrs.get('PropertyTag') ?? '';
      const value = p.children.find((c) => c.local === 'Value')?.text ?? '';
      ext.set(Number(tag), value);
    }
    return {
      receivedAt: new Date(field('DateTimeReceived') ?? 0),
      number: ext.get(0x6802) ?? null,
      name: ext.get(0x6803) ?? null,
      durationS: Number(ext.get(0x6801) ?? 0),
      read: field('IsRead') === 'true',
    };
  });
}

/** One line per message, as a Lync phone lists them: time (UTC), caller, duration, new/old. */
export function messageLine(m: VoiceMessage): string {
  const when = m.receivedAt.toISOString().slice(0, 16).replace('T', ' ');
  const who = m.name && m.number ? `${m.name} <${m.number}>` : (m.name ?? m.number ?? 'unknown caller');
  const d = `${Math.floor(m.durationS / 60)}:${String(m.durationS % 60).padStart(2, '0')}`;
  return `  message ${when} ${who} ${d} ${m.read ? 'old' : 'new'}`;
}
