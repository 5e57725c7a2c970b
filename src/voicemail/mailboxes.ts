/**
 * The mailboxes: messages, greetings and PINs over the storage ports, with
 * the lamp moved in the same transaction as each message (MwiService
 * .changeVoicemail): the audio is written first (temporary file, fsync,
 * rename), then the row and the `voicemail` MWI source commit together; a
 * failed commit removes the audio again, and the start-up sweep removes what
 * a crash left between the two.
 */
import { randomBytes } from 'node:crypto';
import { readWav, writeWav } from '../media/wav.js';
import type { MwiService } from '../mwi/mwi-service.js';
import type { AudioStore, GreetingKind, MessageRecord, Storage } from '../storage/ports.js';
import { hashPin, verifyPin } from './pin-hash.js';
import type { Pcm } from './call-io.js';
import type { NewMessage } from './flow-ports.js';
import type { MenuAccess } from './menu-flow.js';

/** Samples per millisecond at 8 kHz. */
const PER_MS = 8;

/** The parts of the store the mailboxes use. */
export type MailboxStorage = Pick<
  Storage,
  | 'addMessage'
  | 'setRead'
  | 'deleteMessage'
  | 'getMessage'
  | 'listMessages'
  | 'countMessages'
  | 'listAllAudioPaths'
  | 'putGreeting'
  | 'getGreeting'
  | 'deleteGreeting'
  | 'setPin'
  | 'getUser'
  | 'findUser'
>;

/** Settings of the mailboxes. */
export interface MailboxOptions {
  /** `--max-messages`: a mailbox with this many takes no more. */
  maxMessages: number;
  now?: () => number;
  /** A message was stored (webhook, e-mail); called after the commit, never awaited. */
  onDeposit?: (m: MessageRecord) => void;
}

export class Mailboxes implements MenuAccess {
  private readonly now: () => number;

  constructor(
    private readonly store: MailboxStorage,
    private readonly audioFiles: AudioStore,
    private readonly mwi: Pick<MwiService, 'changeVoicemail'>,
    private readonly o: MailboxOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** Remove audio that no message or greeting refers to (at start: a crash between file and row). */
  async sweep(minAgeMs = 0): Promise<number> {
    return this.audioFiles.sweep(await this.store.listAllAudioPaths(), { minAgeMs });
  }

  async isFull(mailbox: string): Promise<boolean> {
    return (await this.store.countMessages(mailbox)) >= this.o.maxMessages;
  }

  /** Store a message; rejects (nothing stored, no lamp) when the mailbox is full or the disk fails. */
  async deposit(m: NewMessage): Promise<MessageRecord> {
    if (await this.isFull(m.mailbox)) throw new MailboxFullError(m.mailbox);
    const id = randomBytes(16).toString('base64url');
    const wav = writeWav({ sampleRate: 8000, samples: m.pcm });
    const audioPath = await this.audioFiles.write(m.mailbox, wav, id);
    const record: MessageRecord = {
      id,
      mailbox: m.mailbox,
      callerNumber: m.caller.number,
      callerName: m.caller.name,
      receivedAt: this.now(),
      durationMs: Math.round(m.pcm.length / PER_MS),
      urgent: m.urgent,
      read: false,
      callId: m.callId,
      reason: m.reason,
      audioPath,
      audioBytes: wav.length,
      origin: m.origin,
    };
    try {
      await this.mwi.changeVoicemail(m.mailbox, (stamp) => this.store.addMessage(record, stamp));
    } catch (e) {
      await this.audioFiles.remove(audioPath).catch(() => false);
      throw e;
    }
    this.o.onDeposit?.(record);
    return record;
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    return this.store.getMessage(id);
  }

  /** Newest first (the records themselves: the menu's StoredMessage is part of each). */
  async messages(mailbox: string): Promise<MessageRecord[]> {
    return this.store.listMessages(mailbox);
  }

  /** The absolute path of a message's WAV (for ranged reads), or undefined. */
  async audioPath(id: string): Promise<string | undefined> {
    const m = await this.store.getMessage(id);
    return m && this.audioFiles.path(m.audioPath);
  }

  async audio(id: string): Promise<Pcm> {
    const m = await this.store.getMessage(id);
    if (!m) return new Int16Array(0);
    return readWav(await this.audioFiles.read(m.audioPath)).samples;
  }

  /** Mark read (Old) or unread (INBOX); the message as it is now, or undefined when there is none. */
  async setRead(id: string, read: boolean): Promise<MessageRecord | undefined> {
    const m = await this.store.getMessage(id);
    if (!m) return undefined;
    await this.mwi.changeVoicemail(m.mailbox, (stamp) => this.store.setRead(id, read, stamp));
    return { ...m, read };
  }

  /** Delete a message: the lamp moves at once, then its audio goes. */
  async remove(id: string): Promise<boolean> {
    const m = await this.store.getMessage(id);
    if (!m) return false;
    let gone: MessageRecord | undefined;
    await this.mwi.changeVoicemail(m.mailbox, async (stamp) => {
      const r = await this.store.deleteMessage(id, stamp);
      gone = r?.message;
      return r?.counts;
    });
    if (gone) await this.audioFiles.remove(gone.audioPath).catch(() => false);
    return gone !== undefined;
  }

  async greeting(mailbox: string, kind: GreetingKind): Promise<Pcm | undefined> {
    const path = await this.store.getGreeting(mailbox, kind);
    if (!path) return undefined;
    try {
      return readWav(await this.audioFiles.read(path)).samples;
    } catch {
      return undefined; // an unreadable greeting falls back to the built one
    }
  }

  async saveGreeting(mailbox: string, kind: GreetingKind, pcm: Pcm): Promise<void> {
    const path = await this.audioFiles.write(
      mailbox,
      writeWav({ sampleRate: 8000, samples: pcm }),
      `greeting-${kind}-${randomBytes(6).toString('hex')}`,
    );
    const old = await this.store.putGreeting(mailbox, kind, path);
    if (old && old !== path) await this.audioFiles.remove(old).catch(() => false);
  }

  async deleteGreeting(mailbox: string, kind: GreetingKind): Promise<boolean> {
    const old = await this.store.deleteGreeting(mailbox, kind);
    if (old) await this.audioFiles.remove(old).catch(() => false);
    return old !== undefined;
  }

  async findMailbox(typed: string): Promise<string | undefined> {
    return typed === '' ? undefined : this.store.findUser(typed)?.name;
  }

  async pinOnOwnPhone(mailbox: string): Promise<boolean> {
    const u = this.store.getUser(mailbox);
    return !!u?.pinHash && u.ownPhonePin;
  }

  async checkPin(mailbox: string, pin: string): Promise<boolean> {
    const hash = this.store.getUser(mailbox)?.pinHash;
    return !!hash && pin !== '' && (await verifyPin(pin, hash));
  }

  async setPin(mailbox: string, pin: string): Promise<void> {
    await this.store.setPin(mailbox, await hashPin(pin));
  }
}

/** A deposit to a mailbox that holds `--max-messages` already. */
export class MailboxFullError extends Error {
  readonly code = 'mailbox-full';
  constructor(readonly mailbox: string) {
    super(`mailbox ${mailbox} is full`);
    this.name = 'MailboxFullError';
  }
}
