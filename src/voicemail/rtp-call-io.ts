/**
 * {@link CallIo} over a real call: prompts played through the call's RTP
 * session (paced by the one playout clock), keys from RFC 4733 events (or
 * SIP INFO), recordings placed by timestamp (media/recorder.ts).
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import { Recorder } from '../media/recorder.js';
import type { RtpSession } from '../media/rtp-session.js';
import type { G711Law } from '../media/g711.js';
import { HangUp, readDigits, type CallIo, type Pcm, type Recording, type RecordEnd } from './call-io.js';

/** Samples per millisecond at 8 kHz. */
const PER_MS = 8;
/**
 * How often a recording checks its length and silence when no packet does
 * (packets check on arrival): the caller stopped sending (silence
 * suppression, a dead phone) or the clock ran past the maximum.
 */
const RECORD_CHECK_MS = 500;
/**
 * A recording stopped by a key is cut where the key began: RFC 4733 reports
 * it at its end bit, about this long after it began (SIPp's pound: 140 ms,
 * phones 100-250 ms). Audio that ended before stays whole.
 */
const KEY_TAIL_MS = 200;
/** Kept after the last voiced audio when trailing silence is trimmed, so the last word is not clipped. */
const SILENCE_PAD_MS = 300;
/** Keys remembered ahead of the prompt that reads them (Asterisk buffers a few too). */
const MAX_BUFFERED_KEYS = 32;

type Waiter = (key: string | undefined) => void;

export class RtpCallIo implements CallIo {
  private readonly keys: string[] = [];
  private keyWaiter: Waiter | undefined;
  private interruptKeys: string | undefined;
  private interrupted: string | undefined;
  private endWaiters: (() => void)[] = [];
  private isEnded = false;

  constructor(
    private readonly rtp: RtpSession,
    private readonly law: () => G711Law,
    private readonly clock: Clock,
    /** Ends the call on the SIP side (BYE); called once, by {@link hangUp}. */
    private readonly bye: () => void,
    /** The clock of the RTP arrival times (the playout clock's). */
    private readonly rtpNow: () => number,
  ) {
    rtp.onDigit = (digit) => this.key(digit);
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** A key from RTP (RFC 4733) or SIP INFO. */
  key(digit: string): void {
    if (this.isEnded) return;
    if (this.interruptKeys?.includes(digit) && this.interrupted === undefined) {
      this.interrupted = digit;
      this.rtp.stopPlayback();
      return;
    }
    const w = this.keyWaiter;
    if (w) {
      this.keyWaiter = undefined;
      w(digit);
      return;
    }
    if (this.keys.length < MAX_BUFFERED_KEYS) this.keys.push(digit);
  }

  /** The peer hung up (BYE) or the session died (RTP timeout): every verb ends. */
  callEnded(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.rtp.stopPlayback();
    const w = this.keyWaiter;
    this.keyWaiter = undefined;
    w?.(undefined);
    const ends = this.endWaiters;
    this.endWaiters = [];
    for (const f of ends) f();
  }

  async play(pcm: Pcm, interruptBy?: string): Promise<string | undefined> {
    if (this.isEnded) throw new HangUp();
    if (interruptBy) {
      const i = this.keys.findIndex((k) => interruptBy.includes(k));
      if (i >= 0) return this.keys.splice(i, 1)[0];
    }
    this.interruptKeys = interruptBy;
    this.interrupted = undefined;
    try {
      await this.rtp.play(pcm);
    } finally {
      this.interruptKeys = undefined;
    }
    if (this.isEnded) throw new HangUp();
    const k = this.interrupted;
    this.interrupted = undefined;
    return k;
  }

  digit(timeoutMs: number): Promise<string | undefined> {
    if (this.keys.length > 0) return Promise.resolve(this.keys.shift());
    if (this.isEnded) return Promise.reject(new HangUp());
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.keyWaiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.keyWaiter = (k) => {
        this.clock.clearTimeout(timer);
        if (k === undefined && this.isEnded) reject(new HangUp());
        else resolve(k);
      };
    });
  }

  digits(max: number, timeoutMs: number): Promise<string> {
    return readDigits((t) => this.digit(t), max, timeoutMs);
  }

  flushDigits(): void {
    this.keys.length = 0;
  }

  record(o: { maxMs: number; maxSilenceMs: number; stopKeys: string }): Promise<Recording> {
    const rec = new Recorder(this.law(), o.maxMs * PER_MS);
    const startedAt = this.clock.now();
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const finish = (end: RecordEnd, digit?: string): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        this.rtp.sink = undefined;
        this.keyWaiter = undefined;
        this.endWaiters = this.endWaiters.filter((f) => f !== onEnd);
        if (end === 'digit') rec.truncate(rec.positionAt(this.rtpNow()) - KEY_TAIL_MS * PER_MS);
        const voiced = rec.voicedLength;
        if (voiced < rec.length) rec.truncate(Math.min(rec.length, voiced + SILENCE_PAD_MS * PER_MS));
        resolve({ pcm: rec.toPcm16(), end, ...(digit !== undefined && { digit }) });
      };
      const onEnd = (): void => finish('hangup');
      if (this.isEnded) {
        finish('hangup');
        return;
      }
      this.endWaiters.push(onEnd);
      const maxSamples = o.maxMs * PER_MS;
      // checked per packet (numbers only), so that the timer below can be slow: it is one timer per call
      this.rtp.sink = (payload, offset, length, timestamp, ssrc, arrivalMs) => {
        rec.push(payload, offset, length, timestamp, ssrc, arrivalMs);
        if (rec.length >= maxSamples) finish('max');
        else if (rec.silentForMs(arrivalMs) >= o.maxSilenceMs) finish('silence');
      };
      const waitKey = (): void => {
        this.keyWaiter = (k) => {
          if (k === undefined) return; // the end: onEnd finishes
          if (o.stopKeys.includes(k)) finish('digit', k);
          else waitKey();
        };
      };
      this.keys.length = 0;
      waitKey();
      const check = (): void => {
        const now = this.clock.now();
        if (rec.length >= maxSamples || now - startedAt >= o.maxMs) return finish('max');
        // silence counts from the first packet; before any packet the caller may not have started
        if (rec.placed > 0 && rec.silentForMs(this.rtpNow()) >= o.maxSilenceMs) return finish('silence');
        timer = this.clock.setTimeout(check, RECORD_CHECK_MS);
      };
      timer = this.clock.setTimeout(check, RECORD_CHECK_MS);
    });
  }

  hangUp(): void {
    if (this.isEnded) return;
    this.callEnded();
    this.bye();
  }
}
