import type { MessageRecord } from '../../storage/ports.js';

/** Control characters (C0, DEL, C1) and line breaks: nothing of the caller's may bend a header or a line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A caller-supplied text made safe for a subject or a line: controls become spaces, at most 80 characters. */
function clean(text: string | null): string | null {
  if (text === null) return null;
  const t = text.replace(CONTROL, ' ').trim().slice(0, 80);
  return t === '' ? null : t;
}

/** `0:07`, `3:05`, `1:02:03`: rounded to the second, as Asterisk's ${VM_DUR} shows it. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `NAME <NUMBER>`, `NAME`, `NUMBER`, or `an unknown caller`. */
export function describeCaller(m: Pick<MessageRecord, 'callerName' | 'callerNumber'>): string {
  const name = clean(m.callerName);
  const number = clean(m.callerNumber);
  if (name && number && name !== number) return `${name} <${number}>`;
  return name ?? number ?? 'an unknown caller';
}

/** Asterisk's subject, in words: `New voice message from NAME <NUMBER> (duration 0:07)`; urgent ones say so. */
export function mailSubject(m: MessageRecord): string {
  return `${m.urgent ? 'Urgent' : 'New'} voice message from ${describeCaller(m)} (duration ${formatDuration(m.durationMs)})`;
}

/** `2024-05-01 12:34:56 UTC` */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The plain-text body: who, when, how long, which mailbox, urgent or not; the audio is attached. */
export function mailText(m: MessageRecord, user: { name: string; displayName?: string | null }): string {
  const lines = [
    `Hello ${clean(user.displayName ?? null) ?? user.name},`,
    '',
    `there is a new voice message in mailbox ${m.mailbox}.`,
    '',
    `From:     ${describeCaller(m)}`,
    `Received: ${formatTime(m.receivedAt)}`,
    `Duration: ${formatDuration(m.durationMs)}`,
    `Mailbox:  ${m.mailbox}`,
    `Urgent:   ${m.urgent ? 'yes' : 'no'}`,
  ];
  const reason = clean(m.reason);
  if (reason) lines.push(`Reason:   ${reason}`);
  lines.push('', `The recording is attached (${attachmentName(m.id)}).`, '', '-- ', 'openum voicemail', '');
  return lines.join('\n');
}

/** `msg-ID.wav`: message ids are base64url, safe in a file name. */
export function attachmentName(id: string): string {
  return `msg-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.wav`;
}
