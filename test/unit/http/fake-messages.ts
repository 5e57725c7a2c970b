/**
 * A MessagesApi over temp files, and an HTTP app with users alice/secret and
 * bob/hunter22, an admin token and an mwi:write token, for the message route
 * tests.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createToken } from '../../../src/app/admin-commands.js';
import { apiCredentials } from '../../../src/app/http-wiring.js';
import { addUser } from '../../../src/app/user-commands.js';
import { buildHttpApp } from '../../../src/http/http-app.js';
import {
  MessageApiError,
  type ApiGreetingKind,
  type MessageInfo,
  type MessagesApi,
} from '../../../src/http/message-routes.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

/** A PCM WAV file (8 kHz, 16-bit mono) with `dataBytes` bytes of samples `i % 251`. */
export function wav(dataBytes: number): Buffer {
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < dataBytes; i++) b[44 + i] = i % 251;
  return b;
}

/** A stored message; `path` is what a structural store record might carry and the API must never show. */
type Stored = MessageInfo & { path: string };

export class FakeMessages implements MessagesApi {
  readonly messages = new Map<string, Stored>();
  readonly greetings = new Map<string, Buffer>();
  /** Every call that changes something, in order. */
  readonly changes: string[] = [];
  /** Every id `get` was asked for. */
  readonly asked: string[] = [];
  /** Make deposit / putGreeting refuse. */
  refuse: MessageApiError | undefined;
  private next = 1;

  constructor(
    readonly dir: string,
    readonly mailboxes: string[],
  ) {}

  /** Store a message as if a call had left it. */
  async add(mailbox: string, receivedAt: number, audio: Buffer, extra: Partial<MessageInfo> = {}): Promise<Stored> {
    const id = `m${this.next++}`;
    const path = join(this.dir, `${id}.wav`);
    await writeFile(path, audio);
    const m: Stored = {
      id,
      mailbox,
      from: '+15551234',
      fromName: 'Bob',
      receivedAt,
      durationMs: Math.round((audio.length - 44) / 16),
      urgent: false,
      read: false,
      reason: 'busy',
      origin: 'call',
      ...extra,
      path,
    };
    this.messages.set(id, m);
    return m;
  }

  mailboxExists(name: string): boolean {
    return this.mailboxes.includes(name);
  }
  async list(mailbox: string): Promise<MessageInfo[]> {
    return [...this.messages.values()].filter((m) => m.mailbox === mailbox).sort((a, b) => b.receivedAt - a.receivedAt);
  }
  async get(id: string): Promise<MessageInfo | undefined> {
    this.asked.push(id);
    return this.messages.get(id);
  }
  async audioPath(id: string): Promise<string | undefined> {
    return this.messages.get(id)?.path;
  }
  async deposit(mailbox: string, audio: Buffer, o: { from: string | null; urgent: boolean }): Promise<MessageInfo> {
    if (this.refuse) throw this.refuse;
    if (!this.mailboxExists(mailbox)) throw new MessageApiError('not-found', `no mailbox ${mailbox}`);
    this.changes.push(`deposit ${mailbox}`);
    return this.add(mailbox, 1_700_000_000_000 + this.next, audio, {
      from: o.from,
      fromName: null,
      urgent: o.urgent,
      reason: null,
      origin: 'api',
    });
  }
  async setRead(id: string, read: boolean): Promise<MessageInfo | undefined> {
    const m = this.messages.get(id);
    if (!m) return undefined;
    this.changes.push(`read ${id} ${read}`);
    m.read = read;
    return m;
  }
  async remove(id: string): Promise<boolean> {
    const m = this.messages.get(id);
    if (!m) return false;
    this.changes.push(`remove ${id}`);
    this.messages.delete(id);
    await unlink(m.path);
    return true;
  }
  async setPin(mailbox: string, pin: string): Promise<void> {
    this.changes.push(`pin ${mailbox} ${pin}`);
  }
  async putGreeting(mailbox: string, kind: ApiGreetingKind, audio: Buffer): Promise<void> {
    if (this.refuse) throw this.refuse;
    this.changes.push(`greeting ${mailbox} ${kind}`);
    this.greetings.set(`${mailbox}/${kind}`, audio);
  }
}

export function messagesApp(dir: string, o: { audioBodyLimit?: number } = {}) {
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: 'secret', domain: 'localhost' });
  addUser(storage, { name: 'bob', password: 'hunter22', domain: 'localhost' });
  const messages = new FakeMessages(dir, ['alice', 'bob']);
  const app = buildHttpApp({
    version: 't',
    health: () => ({}),
    messages,
    credentials: apiCredentials(storage),
    ...o,
  });
  return {
    app,
    messages,
    admin: createToken(storage, 'admin', undefined),
    mwiToken: createToken(storage, 'mwi:write', undefined),
  };
}

export const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
export const basic = (u: string, p: string) => ({
  authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
});
export const alice = basic('alice', 'secret');
export const bob = basic('bob', 'hunter22');
