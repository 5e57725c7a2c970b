/** Messages and stamps for the voicemail storage tests (not a test file itself). */
import { randomBytes } from 'node:crypto';
import type { LampStamp, MessageRecord } from '../../../src/storage/ports.js';

/** A message of `mailbox`, unread and not urgent unless told otherwise. */
export function message(mailbox: string, m: Partial<MessageRecord> = {}): MessageRecord {
  const id = m.id ?? randomBytes(16).toString('base64url');
  return {
    id,
    mailbox,
    callerNumber: '+41441234567',
    callerName: 'Caller',
    receivedAt: 1_700_000_000_000,
    durationMs: 4200,
    urgent: false,
    read: false,
    callId: 'call-1@example.org',
    reason: 'unavailable',
    audioPath: `${mailbox}/${id}.wav`,
    audioBytes: 67_244,
    origin: 'call',
    ...m,
  };
}

/** A stamp of version `version`, from origin `test`. */
export function stamp(mailbox: string, version: number, changedAt = 1000): LampStamp {
  return { mailbox, version, changedAt, origin: 'test' };
}

/** The audio of a message in the crash test: `size` bytes, each the first character code of its id. */
export function audioOf(id: string, size: number): Buffer {
  return Buffer.alloc(size, id.charCodeAt(0));
}
