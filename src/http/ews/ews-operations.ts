/**
 * The EWS operations a voicemail client uses ([MS-OXWSCORE], [MS-OXWSFOLD],
 * [MS-OXWSSRCH], [MS-OXWSATT]), on the authenticated user's own mailbox:
 *
 * - GetFolder: `voicemail` (the voice mail search folder, [MS-OXWSFOLD]
 *   2.2.4.x DistinguishedFolderIdNameType), `inbox` (where Exchange keeps
 *   the messages) with TotalCount and UnreadCount (the lamp's old + new and
 *   new); `root` and `msgfolderroot` (empty parents, for clients that look
 *   there first);
 * - FindItem (Shallow): the messages, newest first unless SortOrder asks
 *   DateTimeReceived ascending; IndexedPageItemView paging (Offset,
 *   MaxEntriesReturned, BasePoint); a Restriction is not applied (every item
 *   of these folders is a voice message);
 * - GetItem, GetAttachment (the WAV, base64), UpdateItem (only
 *   `message:IsRead`; a stale ChangeKey is ErrorIrresolvableConflict unless
 *   ConflictResolution is AlwaysOverwrite), DeleteItem (every DeleteType
 *   deletes: openum keeps no Deleted Items).
 *
 * Every failure of one id is that id's response message with
 * ResponseClass="Error", a ResponseCode and a MessageText
 * ([MS-OXWSCDATA] 2.2.4.x ResponseMessageType); the others still run.
 */
import { readFile } from 'node:fs/promises';
import { childElement, childElements, type XmlElement } from '../../base/xml/xml-tree.js';
import type { MessageInfo, MessagesApi } from '../message-api.js';
import {
  changeKey,
  folderChangeKey,
  folderId,
  folderOf,
  messageIdOf,
  messageIdOfAttachment,
  itemId,
} from './ews-ids.js';
import { attachmentXml, itemXml, parsePropertyTag, type BaseShape, type ItemShape } from './ews-item.js';
import { M_NS, T_NS, el, textEl } from './ews-xml.js';

/** A request EWS cannot run at all (a SOAP fault, not a response message). */
export class EwsRequestError extends Error {
  override readonly name = 'EwsRequestError';
}

/** What the operations need of the REST API's delegate. */
export type EwsMessages = Pick<MessagesApi, 'list' | 'get' | 'setRead' | 'remove' | 'audioPath'>;

function success(op: string, ...content: string[]): string {
  return el(`m:${op}ResponseMessage`, { ResponseClass: 'Success' }, textEl('m:ResponseCode', 'NoError'), ...content);
}

function failure(op: string, code: string, text: string): string {
  return el(
    `m:${op}ResponseMessage`,
    { ResponseClass: 'Error' },
    textEl('m:MessageText', text),
    textEl('m:ResponseCode', code),
    textEl('m:DescriptiveLinkKey', 0),
  );
}

function response(op: string, messages: string[]): string {
  return el(`m:${op}Response`, {}, el('m:ResponseMessages', {}, ...messages));
}

const FOLDERS: Record<string, { display: string; holdsMessages: boolean; folderClass: string }> = {
  voicemail: { display: 'Voice Mail', holdsMessages: true, folderClass: 'IPF.Note.Microsoft.Voicemail' },
  inbox: { display: 'Inbox', holdsMessages: true, folderClass: 'IPF.Note' },
  msgfolderroot: { display: 'Top of Information Store', holdsMessages: false, folderClass: 'IPF.Note' },
  root: { display: 'Root', holdsMessages: false, folderClass: 'IPF.Note' },
};

/** The folder a FolderId or DistinguishedFolderId names, or why not. */
function resolveFolder(ref: XmlElement, user: string): { name: string } | { code: string; text: string } {
  if (ref.local === 'DistinguishedFolderId') {
    const name = ref.attrs.get('Id') ?? '';
    const box = childElement(childElement(ref, T_NS, 'Mailbox'), T_NS, 'EmailAddress')?.text.trim();
    if (box && box.split('@')[0]?.toLowerCase() !== user.toLowerCase()) {
      return { code: 'ErrorAccessDenied', text: `${box} is not your mailbox` };
    }
    return FOLDERS[name] ? { name } : { code: 'ErrorFolderNotFound', text: `openum has no ${name} folder` };
  }
  const f = folderOf(ref.attrs.get('Id') ?? '');
  if (!f || f.mailbox !== user || !FOLDERS[f.name]) return { code: 'ErrorFolderNotFound', text: 'no such folder' };
  return { name: f.name };
}

function folderRefs(parent: XmlElement | undefined): XmlElement[] {
  return parent ? parent.children.filter((c) => c.ns === T_NS && /^(Distinguished)?FolderId$/.test(c.local)) : [];
}

function shapeOf(e: XmlElement | undefined, attachments: boolean): ItemShape {
  const base = (childElement(e, T_NS, 'BaseShape')?.text.trim() ?? 'Default') as BaseShape;
  if (!['IdOnly', 'Default', 'AllProperties'].includes(base))
    throw new EwsRequestError(`BaseShape ${base} is not valid`);
  const fields = new Set<string>();
  const tags: number[] = [];
  for (const p of childElement(e, T_NS, 'AdditionalProperties')?.children ?? []) {
    if (p.local === 'FieldURI') fields.add(p.attrs.get('FieldURI') ?? '');
    if (p.local === 'ExtendedFieldURI') {
      const tag = parsePropertyTag(p.attrs.get('PropertyTag') ?? '');
      if (tag !== undefined) tags.push(tag);
    }
  }
  return { base, fields, tags, attachments };
}

async function getFolder(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const refs = folderRefs(childElement(op, M_NS, 'FolderIds'));
  if (refs.length === 0) throw new EwsRequestError('GetFolder names no folder (FolderIds)');
  const messages = await api.list(user);
  const unread = messages.filter((m) => !m.read).length;
  return response(
    'GetFolder',
    refs.map((ref) => {
      const f = resolveFolder(ref, user);
      if ('code' in f) return failure('GetFolder', f.code, f.text);
      const spec = FOLDERS[f.name]!;
      const total = spec.holdsMessages ? messages.length : 0;
      const unreadHere = spec.holdsMessages ? unread : 0;
      const folder = el(
        't:Folder',
        {},
        el('t:FolderId', { Id: folderId(user, f.name), ChangeKey: folderChangeKey(total, unreadHere) }),
        textEl('t:FolderClass', spec.folderClass),
        textEl('t:DisplayName', spec.display),
        textEl('t:TotalCount', total),
        textEl('t:ChildFolderCount', 0),
        textEl('t:UnreadCount', unreadHere),
      );
      return success('GetFolder', el('m:Folders', {}, folder));
    }),
  );
}

function intAttr(e: XmlElement | undefined, name: string, fallback: number): number {
  const v = e?.attrs.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new EwsRequestError(`${name}="${v}" is not a count`);
  return n;
}

async function findItem(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const traversal = op.attrs.get('Traversal') ?? 'Shallow';
  if (traversal !== 'Shallow') throw new EwsRequestError(`Traversal ${traversal}: only Shallow is supported`);
  const shape = shapeOf(childElement(op, M_NS, 'ItemShape'), false);
  const refs = folderRefs(childElement(op, M_NS, 'ParentFolderIds'));
  if (refs.length === 0) throw new EwsRequestError('FindItem names no folder (ParentFolderIds)');
  const all = await api.list(user);
  const order = childElement(childElement(op, M_NS, 'SortOrder'), T_NS, 'FieldOrder')?.attrs.get('Order');
  const sorted = order === 'Ascending' ? [...all].reverse() : all;
  const view = childElement(op, M_NS, 'IndexedPageItemView');
  const max = intAttr(view, 'MaxEntriesReturned', 1000);
  const offset = intAttr(view, 'Offset', 0);
  const fromEnd = view?.attrs.get('BasePoint') === 'End';
  return response(
    'FindItem',
    refs.map((ref) => {
      const f = resolveFolder(ref, user);
      if ('code' in f) return failure('FindItem', f.code, f.text);
      const items = FOLDERS[f.name]!.holdsMessages ? sorted : [];
      const start = fromEnd ? Math.max(0, items.length - offset - max) : Math.min(offset, items.length);
      const end = fromEnd ? Math.max(0, items.length - offset) : Math.min(items.length, offset + max);
      const page = items.slice(start, end);
      const parent = folderId(user, f.name);
      return success(
        'FindItem',
        el(
          'm:RootFolder',
          {
            IndexedPagingOffset: fromEnd ? undefined : end,
            TotalItemsInView: items.length,
            IncludesLastItemInRange: String(fromEnd ? start === 0 : end >= items.length),
          },
          el('t:Items', {}, ...page.map((m) => itemXml(m, shape, parent))),
        ),
      );
    }),
  );
}

/** The caller's message an ItemId names (another user's is "not found" too: ids cannot be probed). */
async function ownMessage(id: string | undefined, user: string, api: EwsMessages): Promise<MessageInfo | undefined> {
  const messageId = id === undefined ? undefined : messageIdOf(id);
  const m = messageId === undefined ? undefined : await api.get(messageId);
  return m && m.mailbox === user ? m : undefined;
}

const NOT_FOUND = 'The specified object was not found in the store.';

async function getItem(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const shape = shapeOf(childElement(op, M_NS, 'ItemShape'), true);
  const ids = childElements(childElement(op, M_NS, 'ItemIds'), T_NS, 'ItemId');
  if (ids.length === 0) throw new EwsRequestError('GetItem names no item (ItemIds)');
  const out: string[] = [];
  for (const ref of ids) {
    const m = await ownMessage(ref.attrs.get('Id'), user, api);
    out.push(
      m
        ? success('GetItem', el('m:Items', {}, itemXml(m, shape, folderId(user, 'voicemail'))))
        : failure('GetItem', 'ErrorItemNotFound', NOT_FOUND),
    );
  }
  return response('GetItem', out);
}

async function getAttachment(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const ids = childElements(childElement(op, M_NS, 'AttachmentIds'), T_NS, 'AttachmentId');
  if (ids.length === 0) throw new EwsRequestError('GetAttachment names no attachment (AttachmentIds)');
  const out: string[] = [];
  for (const ref of ids) {
    const messageId = messageIdOfAttachment(ref.attrs.get('Id') ?? '');
    const m = messageId === undefined ? undefined : await api.get(messageId);
    const path = m && m.mailbox === user ? await api.audioPath(m.id) : undefined;
    const audio = path === undefined ? undefined : await readFile(path).catch(() => undefined);
    out.push(
      m && audio
        ? success('GetAttachment', el('m:Attachments', {}, attachmentXml({ ...m, audioBytes: audio.length }, audio)))
        : failure('GetAttachment', 'ErrorAttachmentNotFound', 'The attachment was not found.'),
    );
  }
  return response('GetAttachment', out);
}

async function updateItem(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const overwrite = op.attrs.get('ConflictResolution') === 'AlwaysOverwrite';
  const changes = childElements(childElement(op, M_NS, 'ItemChanges'), T_NS, 'ItemChange');
  if (changes.length === 0) throw new EwsRequestError('UpdateItem names no change (ItemChanges)');
  const out: string[] = [];
  for (const change of changes) {
    const ref = childElement(change, T_NS, 'ItemId');
    const m = await ownMessage(ref?.attrs.get('Id'), user, api);
    if (!m) {
      out.push(failure('UpdateItem', 'ErrorItemNotFound', NOT_FOUND));
      continue;
    }
    const sent = ref?.attrs.get('ChangeKey');
    if (sent !== undefined && sent !== changeKey(m.id, m.read) && !overwrite) {
      out.push(failure('UpdateItem', 'ErrorIrresolvableConflict', 'The item changed since this ChangeKey was issued.'));
      continue;
    }
    let read: boolean | undefined;
    let refused: string | undefined;
    for (const u of childElement(change, T_NS, 'Updates')?.children ?? []) {
      const field = childElement(u, T_NS, 'FieldURI')?.attrs.get('FieldURI');
      const value = childElement(childElement(u, T_NS, 'Message'), T_NS, 'IsRead')?.text.trim() ?? '';
      // xs:boolean: true, false, 1 or 0 (exchangelib writes 1)
      if (u.local === 'SetItemField' && field === 'message:IsRead' && /^(true|false|1|0)$/.test(value)) {
        read = value === 'true' || value === '1';
      } else if (u.local === 'SetItemField' && field === 'message:IsRead') {
        refused = `message:IsRead "${value.slice(0, 20)}" is not a boolean`;
      } else {
        refused = `${u.local} ${field ?? '(no FieldURI)'}: only message:IsRead can be set on a voice message`;
      }
    }
    if (refused !== undefined || read === undefined) {
      out.push(failure('UpdateItem', 'ErrorInvalidPropertySet', refused ?? 'no SetItemField message:IsRead'));
      continue;
    }
    const after = m.read === read ? m : await api.setRead(m.id, read);
    if (!after) {
      out.push(failure('UpdateItem', 'ErrorItemNotFound', NOT_FOUND));
      continue;
    }
    out.push(
      success(
        'UpdateItem',
        el(
          'm:Items',
          {},
          el('t:Message', {}, el('t:ItemId', { Id: itemId(after.id), ChangeKey: changeKey(after.id, after.read) })),
        ),
        el('m:ConflictResults', {}, textEl('t:Count', 0)),
      ),
    );
  }
  return response('UpdateItem', out);
}

async function deleteItem(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const ids = childElements(childElement(op, M_NS, 'ItemIds'), T_NS, 'ItemId');
  if (ids.length === 0) throw new EwsRequestError('DeleteItem names no item (ItemIds)');
  const out: string[] = [];
  for (const ref of ids) {
    const m = await ownMessage(ref.attrs.get('Id'), user, api);
    out.push(
      m && (await api.remove(m.id)) ? success('DeleteItem') : failure('DeleteItem', 'ErrorItemNotFound', NOT_FOUND),
    );
  }
  return response('DeleteItem', out);
}

const OPERATIONS: Record<string, (op: XmlElement, user: string, api: EwsMessages) => Promise<string>> = {
  GetFolder: getFolder,
  FindItem: findItem,
  GetItem: getItem,
  GetAttachment: getAttachment,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
};

/** Run the operation `op` (the first child of soap:Body) for `user`; the response element as XML. */
export async function runEwsOperation(op: XmlElement, user: string, api: EwsMessages): Promise<string> {
  const run = op.ns === M_NS ? OPERATIONS[op.local] : undefined;
  if (!run) throw new EwsRequestError(`${op.local}: openum's EWS supports ${Object.keys(OPERATIONS).join(', ')}`);
  return run(op, user, api);
}
