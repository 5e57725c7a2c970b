/**
 * What the phone says and reads in each MWI dialect: the SUBSCRIBE of RFC
 * 3842 / RFC 6665 (`Event: message-summary`) or of a Lync endpoint
 * (`Event: vnd-microsoft-roaming-self`, [MS-SIP] BENOTIFY), and how a
 * notification body becomes a {@link Lamp}.
 */
import { parseMessageSummary } from '../events/packages/message-summary/message-summary-body.js';
import type { Dialect, Lamp } from './lamp.js';
import { ROAMING_SELF_TYPE } from '../events/packages/vnd-microsoft-roaming-self/namespaces.js';
import { ROAMING_LIST_BODY, parseRoamingSelfMwi } from './roaming-self-mwi.js';

/** RFC 3842 section 4: the package name and its body type. */
export const MESSAGE_SUMMARY_EVENT = 'message-summary';
export const MESSAGE_SUMMARY_TYPE = 'application/simple-message-summary';
/** [MS-PRES]: the Lync self-data package. */
export const ROAMING_SELF_EVENT = 'vnd-microsoft-roaming-self';

/** One dialect, as a record. */
export interface DialectSpec {
  name: Dialect;
  /** The Event package (RFC 6665 section 8.2.1). */
  event: string;
  /** Headers of every SUBSCRIBE of the dialect, besides Expires (Accept, Supported...). */
  headers: readonly [string, string][];
  /** The SUBSCRIBE body and its type, when the dialect has one. */
  body: Buffer | undefined;
  contentType: string | undefined;
  /** The media type notifications carry. */
  notifyType: string;
  /**
   * The lamp in a notification body, or undefined when it carries none.
   * Throws the codec's typed parse error for a malformed body.
   */
  read(body: Buffer): Lamp | undefined;
}

/** RFC 3842 + RFC 6665: what every standard SIP phone sends. */
const RFC3842: DialectSpec = {
  name: 'rfc3842',
  event: MESSAGE_SUMMARY_EVENT,
  headers: [['Accept', MESSAGE_SUMMARY_TYPE]],
  body: undefined,
  contentType: undefined,
  notifyType: MESSAGE_SUMMARY_TYPE,
  read(body) {
    const s = parseMessageSummary(body);
    const voice = s.classes.get('voice-message');
    return { on: s.messagesWaiting, newCount: voice?.new ?? 0, oldCount: voice?.old ?? 0 };
  },
};

/**
 * A Lync endpoint's self subscription (PROTOCOLS.md section 4): the
 * roamingList body, `Supported: ms-benotify` (so changes may come as
 * BENOTIFY) and `ms-piggyback-first-notify` (the first state may ride in
 * the 200 OK).
 */
const LYNC: DialectSpec = {
  name: 'lync',
  event: ROAMING_SELF_EVENT,
  headers: [
    ['Accept', ROAMING_SELF_TYPE],
    ['Supported', 'ms-benotify, ms-piggyback-first-notify'],
  ],
  body: Buffer.from(ROAMING_LIST_BODY, 'utf8'),
  contentType: ROAMING_SELF_TYPE,
  notifyType: ROAMING_SELF_TYPE,
  read: (body) => parseRoamingSelfMwi(body),
};

/** The record of a dialect. */
export function dialectSpec(d: Dialect): DialectSpec {
  return d === 'lync' ? LYNC : RFC3842;
}

/** The media type of a Content-Type value, lower-case, parameters dropped (RFC 3261 section 20.15). */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The event package an Event header names, lower-case, parameters dropped (RFC 6665 section 8.2.1). */
export function eventPackage(event: string | undefined): string {
  return mediaType(event);
}
