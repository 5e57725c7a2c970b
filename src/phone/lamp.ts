/**
 * The message-waiting lamp as the phone shows it, whatever the dialect:
 * on/off, new and old voice messages, and for Lync the category version.
 */

/** The two ways the phone learns the lamp (PROTOCOLS.md sections 1 and 4). */
export type Dialect = 'rfc3842' | 'lync';

/** Every dialect, for flag checks. */
export const DIALECTS: readonly Dialect[] = ['rfc3842', 'lync'];

/** One lamp state. */
export interface Lamp {
  /** RFC 3842 `Messages-Waiting: yes`, Lync `messageWaiting="true"`. */
  on: boolean;
  /** New (unread) voice messages: RFC 3842 `Voice-Message: NEW/...`, Lync `unreadVoiceMailCount`. */
  newCount: number;
  /** Old (read) voice messages: RFC 3842 `Voice-Message: .../OLD`, Lync `readVoiceMailCount`. */
  oldCount: number;
  /** Lync: the `version` of the mwi category ([MS-PRES]); absent for RFC 3842. */
  version?: number;
}

/**
 * What the user sees, as one line:
 * `mwi alice on new=8 old=3 (lync, version 33)` or
 * `mwi alice off new=0 old=2 (rfc3842)`.
 */
export function lampLine(user: string, lamp: Lamp, dialect: Dialect): string {
  const what = dialect === 'lync' && lamp.version !== undefined ? `lync, version ${lamp.version}` : dialect;
  return `mwi ${user} ${lamp.on ? 'on' : 'off'} new=${lamp.newCount} old=${lamp.oldCount} (${what})`;
}

/**
 * Whether two states look the same to the user (the version alone does
 * not make a change: a Lync server may re-publish the same counts).
 */
export function sameLamp(a: Lamp | undefined, b: Lamp): boolean {
  return a !== undefined && a.on === b.on && a.newCount === b.newCount && a.oldCount === b.oldCount;
}
