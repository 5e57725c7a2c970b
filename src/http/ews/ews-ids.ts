/**
 * The opaque identifiers EWS clients hold ([MS-OXWSCORE] 2.2.4.x ItemIdType,
 * [MS-OXWSFOLD] FolderIdType, AttachmentIdType): base64 of a tagged string,
 * so that an id of one kind is never taken for another and a client cannot
 * build one from a message id without seeing it first.
 *
 * The ChangeKey of a message says which version of it the client saw: it
 * changes when the read flag does (the only thing a client may change), so
 * an UpdateItem that carries an older one is a conflict
 * ([MS-OXWSCORE] 3.1.4.9, ErrorIrresolvableConflict).
 */
import { createHash } from 'node:crypto';

const ITEM = 'openum-item:';
const ATTACHMENT = 'openum-att:';
const FOLDER = 'openum-folder:';

function encode(tag: string, value: string): string {
  return Buffer.from(tag + value, 'utf8').toString('base64');
}

function decode(tag: string, id: string): string | undefined {
  if (id.length > 512 || !/^[A-Za-z0-9+/=_-]+$/.test(id)) return undefined;
  const s = Buffer.from(id, 'base64').toString('utf8');
  return s.startsWith(tag) && s.length > tag.length ? s.slice(tag.length) : undefined;
}

export const itemId = (messageId: string): string => encode(ITEM, messageId);
export const messageIdOf = (id: string): string | undefined => decode(ITEM, id);
export const attachmentId = (messageId: string): string => encode(ATTACHMENT, messageId);
export const messageIdOfAttachment = (id: string): string | undefined => decode(ATTACHMENT, id);

/** A folder of a mailbox, by its distinguished name (`voicemail`, `inbox`, ...). */
export const folderId = (mailbox: string, name: string): string => encode(FOLDER, `${name}/${mailbox}`);
export function folderOf(id: string): { name: string; mailbox: string } | undefined {
  const s = decode(FOLDER, id);
  const slash = s?.indexOf('/') ?? -1;
  return s && slash > 0 ? { name: s.slice(0, slash), mailbox: s.slice(slash + 1) } : undefined;
}

/** The version of a message a client saw: its id and read flag, hashed (opaque, changes when IsRead does). */
export function changeKey(messageId: string, read: boolean): string {
  return createHash('sha256')
    .update(`${messageId}|${read ? 1 : 0}`)
    .digest('base64')
    .slice(0, 24);
}

/** The change key of a folder: its counts. */
export function folderChangeKey(total: number, unread: number): string {
  return Buffer.from(`${total}/${unread}`).toString('base64');
}
