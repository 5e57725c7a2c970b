/**
 * A voice message as an EWS item ([MS-OXWSCORE] 2.2.4.x MessageType, in
 * the element order of its schema; [MS-OXOUM] 2.2.5 for the voice message
 * properties): ItemClass `IPM.Note.Microsoft.Voicemail.UM.CA` (a call
 * answering message), Importance High when urgent, one FileAttachment (the
 * WAV), and the extended properties a voicemail client asks for by tag:
 *
 * | tag | [MS-OXPROPS] name | type | value |
 * |---|---|---|---|
 * | 0x6801 | PidTagVoiceMessageDuration | Integer | seconds |
 * | 0x6802 | PidTagSenderTelephoneNumber | String | caller number |
 * | 0x6803 | PidTagVoiceMessageSenderName | String | caller name |
 * | 0x6805 | PidTagVoiceMessageAttachmentOrder | String | the audio file's name |
 * | 0x6806 | PidTagCallId | String | SIP Call-ID |
 *
 * Which properties an answer carries follows the request's shape
 * ([MS-OXWSCDATA] 2.2.4.x ItemResponseShapeType: IdOnly, Default,
 * AllProperties) plus its AdditionalProperties (FieldURI and
 * ExtendedFieldURI, a PropertyTag in decimal or hex).
 */
import type { MessageInfo } from '../message-api.js';
import { attachmentId, changeKey, itemId } from './ews-ids.js';
import { el, textEl } from './ews-xml.js';

export const VOICEMAIL_ITEM_CLASS = 'IPM.Note.Microsoft.Voicemail.UM.CA';
/** The attachment's name ([MS-OXOUM] 2.2.5.4: the attachment order names it). */
export const AUDIO_NAME = 'voicemail.wav';
export const AUDIO_TYPE = 'audio/wav';

/** Tags openum answers (the [MS-OXOUM] voice message properties). */
const EXTENDED: Record<number, { type: 'Integer' | 'String'; value: (m: MessageInfo) => string | undefined }> = {
  0x6801: { type: 'Integer', value: (m) => String(Math.round(m.durationMs / 1000)) },
  0x6802: { type: 'String', value: (m) => m.from ?? undefined },
  0x6803: { type: 'String', value: (m) => m.fromName ?? undefined },
  0x6805: { type: 'String', value: () => AUDIO_NAME },
  0x6806: { type: 'String', value: (m) => m.callId ?? undefined },
};

export type BaseShape = 'IdOnly' | 'Default' | 'AllProperties';

/** What to write of each item: the base shape, FieldURIs and extended property tags on top. */
export interface ItemShape {
  base: BaseShape;
  fields: Set<string>;
  tags: number[];
  /** GetItem lists attachments; FindItem never does ([MS-OXWSSRCH] 3.1.4.2.3.x). */
  attachments: boolean;
}

/** Parse a PropertyTag as clients write it: decimal (ews-javascript-api) or 0x-hex (exchangelib). */
export function parsePropertyTag(text: string): number | undefined {
  const t = text.trim();
  const n = /^0x[0-9a-f]{1,4}$/i.test(t) ? Number.parseInt(t.slice(2), 16) : /^\d{1,5}$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
}

const DEFAULT_FIELDS = [
  'item:ItemClass',
  'item:Subject',
  'item:DateTimeReceived',
  'item:Size',
  'item:Importance',
  'item:HasAttachments',
  'message:From',
  'message:IsRead',
];
const ALL_FIELDS = [...DEFAULT_FIELDS, 'item:DateTimeSent', 'item:DateTimeCreated', 'item:ParentFolderId'];

function has(shape: ItemShape, field: string): boolean {
  if (shape.fields.has(field)) return true;
  if (shape.base === 'Default') return DEFAULT_FIELDS.includes(field);
  if (shape.base === 'AllProperties') return ALL_FIELDS.includes(field);
  return false;
}

/** "Voice Mail from Alice (0:07)", as Exchange UM titles its messages. */
export function subjectOf(m: MessageInfo): string {
  const s = Math.round(m.durationMs / 1000);
  const who = m.fromName ?? m.from ?? 'an unknown caller';
  return `Voice Mail from ${who} (${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')})`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The FileAttachment element, with its content when given ([MS-OXWSCORE] 2.2.4.x FileAttachmentType). */
export function attachmentXml(m: MessageInfo, content?: Buffer): string {
  return el(
    't:FileAttachment',
    {},
    el('t:AttachmentId', { Id: attachmentId(m.id) }),
    textEl('t:Name', AUDIO_NAME),
    textEl('t:ContentType', AUDIO_TYPE),
    ...(m.audioBytes !== undefined ? [textEl('t:Size', m.audioBytes)] : []),
    textEl('t:IsInline', false),
    ...(content ? [textEl('t:Content', content.toString('base64'))] : []),
  );
}

/** One `t:Message` of `mailbox`'s voicemail folder (`parentFolderId`) in the given shape. */
export function itemXml(m: MessageInfo, shape: ItemShape, parentFolderId: string): string {
  const parts: string[] = [el('t:ItemId', { Id: itemId(m.id), ChangeKey: changeKey(m.id, m.read) })];
  if (has(shape, 'item:ParentFolderId')) parts.push(el('t:ParentFolderId', { Id: parentFolderId }));
  if (has(shape, 'item:ItemClass')) parts.push(textEl('t:ItemClass', VOICEMAIL_ITEM_CLASS));
  if (has(shape, 'item:Subject')) parts.push(textEl('t:Subject', subjectOf(m)));
  if (shape.attachments || has(shape, 'item:Attachments')) parts.push(el('t:Attachments', {}, attachmentXml(m)));
  if (has(shape, 'item:DateTimeReceived')) parts.push(textEl('t:DateTimeReceived', iso(m.receivedAt)));
  if (has(shape, 'item:Size')) parts.push(textEl('t:Size', (m.audioBytes ?? 0) + 1024));
  if (has(shape, 'item:Importance')) parts.push(textEl('t:Importance', m.urgent ? 'High' : 'Normal'));
  if (has(shape, 'item:DateTimeSent')) parts.push(textEl('t:DateTimeSent', iso(m.receivedAt)));
  if (has(shape, 'item:DateTimeCreated')) parts.push(textEl('t:DateTimeCreated', iso(m.receivedAt)));
  if (has(shape, 'item:HasAttachments')) parts.push(textEl('t:HasAttachments', true));
  for (const tag of shape.tags) {
    const p = EXTENDED[tag];
    const value = p?.value(m);
    if (!p || value === undefined) continue;
    const hex = `0x${tag.toString(16)}`;
    parts.push(
      el(
        't:ExtendedProperty',
        {},
        el('t:ExtendedFieldURI', { PropertyTag: hex, PropertyType: p.type }),
        textEl('t:Value', value),
      ),
    );
  }
  if (has(shape, 'message:From')) {
    const name = m.fromName ?? m.from ?? 'Unknown';
    parts.push(
      el(
        't:From',
        {},
        el('t:Mailbox', {}, textEl('t:Name', name), ...(m.from ? [textEl('t:EmailAddress', m.from)] : [])),
      ),
    );
  }
  if (has(shape, 'message:IsRead')) parts.push(textEl('t:IsRead', m.read));
  return el('t:Message', {}, ...parts);
}
