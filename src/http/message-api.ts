/**
 * What the message routes need from the voicemail layer (a delegate the app
 * implements; http/ never imports voicemail/ or sip/).
 */

/** A greeting a user can record (Asterisk: unavail, busy, temp, greet/name). */
export type ApiGreetingKind = 'unavailable' | 'busy' | 'temporary' | 'name';
export const GREETING_KINDS: readonly ApiGreetingKind[] = ['unavailable', 'busy', 'temporary', 'name'];

/** A stored message as the delegate gives it; the routes add `audioUrl` and copy only these fields out. */
export interface MessageInfo {
  id: string;
  mailbox: string;
  /** The caller's number (or URI user part), null when withheld or unknown. */
  from: string | null;
  fromName: string | null;
  /** When it was received, ms since the epoch. */
  receivedAt: number;
  durationMs: number;
  urgent: boolean;
  read: boolean;
  /** Why the call came to voicemail (RFC 4458 cause, e.g. `busy`), null when unknown. */
  reason: string | null;
  origin: 'call' | 'api';
  /** The SIP Call-ID of the call that left it (EWS 0x6806); not in the REST shape. */
  callId?: string | null;
  /** Size of its WAV file in bytes (an EWS attachment's Size); not in the REST shape. */
  audioBytes?: number;
}

/** A message as the API shows it (CONTRACT.md). */
export interface ApiMessage extends Omit<MessageInfo, 'receivedAt' | 'callId' | 'audioBytes'> {
  /** ISO 8601, UTC. */
  receivedAt: string;
  /** `/api/v1/messages/ID/audio` */
  audioUrl: string;
}

/** Why the delegate refused a change; each maps to one HTTP status (see message-routes.ts). */
export type MessageFailure = 'not-found' | 'mailbox-full' | 'bad-audio' | 'storage-full';

/** A refusal the routes turn into a 4xx/5xx JSON error; any other error is a 500. */
export class MessageApiError extends Error {
  override readonly name = 'MessageApiError';
  constructor(
    readonly code: MessageFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The messages and greetings of mailboxes, as the REST API needs them. */
export interface MessagesApi {
  mailboxExists(name: string): boolean;
  /** Newest first. */
  list(mailbox: string): Promise<MessageInfo[]>;
  get(id: string): Promise<MessageInfo | undefined>;
  /** Absolute path of the message's WAV file (the routes open and stat it), undefined when there is none. */
  audioPath(id: string): Promise<string | undefined>;
  /** Store a WAV as a new message (origin `api`) and move the lamp; throws MessageApiError. */
  deposit(mailbox: string, wav: Buffer, o: { from: string | null; urgent: boolean }): Promise<MessageInfo>;
  /** Mark read or unread (the lamp follows); undefined when no such message. */
  setRead(id: string, read: boolean): Promise<MessageInfo | undefined>;
  /** Delete the message and its audio (the lamp follows); false when no such message. */
  remove(id: string): Promise<boolean>;
  /** Replace a greeting; throws MessageApiError (`bad-audio`, `not-found`, `storage-full`). */
  putGreeting(mailbox: string, kind: ApiGreetingKind, wav: Buffer): Promise<void>;
  /** Set the phone menu's PIN (stored hashed, as the menu's own change does). */
  setPin(mailbox: string, pin: string): Promise<void>;
}

/** The API view of a message: only the declared fields (never a path a structural record might carry). */
export function toApiMessage(m: MessageInfo): ApiMessage {
  return {
    id: m.id,
    mailbox: m.mailbox,
    from: m.from,
    fromName: m.fromName,
    receivedAt: new Date(m.receivedAt).toISOString(),
    durationMs: m.durationMs,
    urgent: m.urgent,
    read: m.read,
    reason: m.reason,
    origin: m.origin,
    audioUrl: `/api/v1/messages/${encodeURIComponent(m.id)}/audio`,
  };
}
