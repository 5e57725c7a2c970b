/**
 * What a voicemail flow (deposit, menu) can do with a call: the dialplan
 * verbs of Asterisk's app_voicemail (Playback, Read, Record) as promises.
 * The flows are written against this interface only, so that they run over
 * a real call ({@link RtpCallIo}) or a scripted one in the unit tests.
 */

/** Thrown by every verb once the caller has hung up (or the call was ended); flows catch it at their top. */
export class HangUp extends Error {
  constructor() {
    super('the caller hung up');
    this.name = 'HangUp';
  }
}

/** Asterisk's Read over single keys: until `#` (not included), `max` keys, or a key wait that times out. */
export async function readDigits(
  digit: (timeoutMs: number) => Promise<string | undefined>,
  max: number,
  timeoutMs: number,
): Promise<string> {
  let out = '';
  while (out.length < max) {
    const d = await digit(timeoutMs);
    if (d === undefined || d === '#') break;
    out += d;
  }
  return out;
}

/** Why a recording stopped. */
export type RecordEnd = 'hangup' | 'digit' | 'max' | 'silence';

/** A finished recording: 8 kHz 16-bit mono, DTMF tail and trailing silence already trimmed. */
export interface Recording {
  pcm: Int16Array;
  end: RecordEnd;
  /** The key that stopped it (end 'digit'). */
  digit?: string;
}

/** Audio in openum: 8 kHz mono 16-bit samples. */
export type Pcm = Int16Array;

export interface CallIo {
  /**
   * Play `pcm`. With `interruptBy`, a key in that set stops playback at once
   * and is returned (Asterisk's Background); other keys are buffered. Throws
   * {@link HangUp}.
   */
  play(pcm: Pcm, interruptBy?: string): Promise<string | undefined>;
  /** The next key (buffered ones first), or undefined after `timeoutMs`. Throws {@link HangUp}. */
  digit(timeoutMs: number): Promise<string | undefined>;
  /**
   * Keys until `#` (not included), `max` keys, or `timeoutMs` between keys
   * (Asterisk's Read). Throws {@link HangUp}.
   */
  digits(max: number, timeoutMs: number): Promise<string>;
  /** Forget keys pressed so far (before a prompt whose answer must be fresh). */
  flushDigits(): void;
  /**
   * Record until hang-up, a key in `stopKeys`, `maxMs`, or `maxSilenceMs` of
   * silence. Never throws HangUp: a hang-up is an end like the others.
   */
  record(o: { maxMs: number; maxSilenceMs: number; stopKeys: string }): Promise<Recording>;
  /** End the call (BYE); idempotent. */
  hangUp(): void;
  readonly ended: boolean;
}
