/**
 * `openum messages list NAME` and `openum messages delete ID` (CONTRACT.md),
 * written against narrow delegates so they run on fakes; the store and the
 * voicemail layer provide them through `openMessageDeps`.
 */
import type { MessageRecord } from '../storage/ports.js';
import { UsageError } from './errors.js';
import { openMessageDeps } from './message-wiring.js';

/** What the listing prints of a stored message. */
export type MessageListing = Pick<
  MessageRecord,
  'id' | 'mailbox' | 'callerNumber' | 'callerName' | 'receivedAt' | 'durationMs' | 'urgent' | 'read'
>;

export interface MessageListDeps {
  /** Newest first. */
  listMessages(mailbox: string): Promise<MessageListing[]>;
  userExists(name: string): boolean;
}

export interface MessageDeleteDeps {
  /** Delete a message and its audio and move the lamp (the voicemail layer does); false when no such message. */
  remove(id: string): Promise<boolean>;
}

/** Everything the two commands need, opened on a data folder, closed after the command. */
export interface MessageCommandDeps extends MessageListDeps, MessageDeleteDeps {
  close(): void | Promise<void>;
}

/** Control and format characters (terminal escapes, bidi overrides) a caller put in its name print as `?`. */
function printable(s: string): string {
  return s.replace(/\p{C}/gu, '?');
}

function caller(m: MessageListing): string {
  const parts = [m.callerNumber, m.callerName === null ? null : `"${m.callerName}"`].filter((p) => p !== null);
  return parts.length === 0 ? 'unknown' : printable(parts.join(' '));
}

/**
 * One line per message, fixed columns first and the free-text caller last:
 * `m42 2024-05-01T10:00:00.000Z 12.3s new urgent from=+15551234 "Bob"`.
 */
export function describeMessage(m: MessageListing): string {
  const seconds = (m.durationMs / 1000).toFixed(1);
  const status = m.read ? 'old' : 'new';
  const priority = m.urgent ? 'urgent' : 'normal';
  return `${m.id} ${new Date(m.receivedAt).toISOString()} ${seconds}s ${status} ${priority} from=${caller(m)}`;
}

/** `openum messages list NAME`: newest first, or `no messages`. */
export async function messagesList(
  opts: { name: string },
  deps: MessageListDeps,
  out: (line: string) => void,
): Promise<void> {
  if (!deps.userExists(opts.name)) throw new UsageError(`no user "${opts.name}"`);
  const list = await deps.listMessages(opts.name);
  if (list.length === 0) out('no messages');
  for (const m of list) out(describeMessage(m));
}

/** `openum messages delete ID` */
export async function messagesDelete(id: string, deps: MessageDeleteDeps, out: (line: string) => void): Promise<void> {
  if (!(await deps.remove(id))) throw new UsageError(`no message ${id}`);
  out(`deleted ${id}`);
}

/** The `openum messages` subcommands: open the data folder, run, close it even on failure. */
export async function runMessagesCommand(
  kind: 'list' | 'delete',
  arg: string,
  opts: { data?: string },
  io: { open(data: string): MessageCommandDeps; out(line: string): void } = {
    open: (data) => openMessageDeps(data),
    out: (line) => process.stdout.write(`${line}\n`),
  },
): Promise<void> {
  const deps = io.open(opts.data ?? './data');
  try {
    if (kind === 'list') await messagesList({ name: arg }, deps, io.out);
    else await messagesDelete(arg, deps, io.out);
  } finally {
    await deps.close();
  }
}
