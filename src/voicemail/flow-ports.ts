/**
 * What the call flows (deposit, menu) need besides the call: prompts and the
 * mailboxes. Narrow on purpose, so the flows are tested with fakes.
 */
import type { Pcm } from './call-io.js';
import type { CallerIdentity } from './caller-identity.js';
import type { MessageRecord } from '../storage/ports.js';

/** A greeting a user can record (Asterisk: unavail, busy, temp, greet/name). */
export type GreetingKind = 'unavailable' | 'busy' | 'temporary' | 'name';

/** Voice prompts by their Asterisk names (`vm-intro`, `digits/5`), 8 kHz; a missing one is silence, never an error. */
export interface PromptSource {
  get(name: string): Promise<Pcm>;
  beep(): Promise<Pcm>;
}

/** A message about to be stored. */
export interface NewMessage {
  mailbox: string;
  pcm: Pcm;
  caller: CallerIdentity;
  urgent: boolean;
  callId: string | null;
  reason: string | null;
  origin: 'call' | 'api';
}

/** A stored message as the menu reads it. */
export type StoredMessage = Pick<
  MessageRecord,
  'id' | 'receivedAt' | 'durationMs' | 'callerNumber' | 'callerName' | 'urgent' | 'read'
>;

/** The mailboxes as the flows see them. */
export interface MailboxAccess {
  greeting(mailbox: string, kind: GreetingKind): Promise<Pcm | undefined>;
  isFull(mailbox: string): Promise<boolean>;
  /** Store a message: audio and lamp move together, or nothing is stored (it rejects). */
  deposit(m: NewMessage): Promise<{ id: string }>;
}
