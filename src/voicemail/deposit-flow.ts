/**
 * Leaving a message (Asterisk's leave_voicemail, Exchange UM call
 * answering): greeting, beep, recording, review, stored message.
 *
 * - Greeting: the user's temporary greeting when recorded (it overrides the
 *   others, as in Asterisk), else their busy or unavailable greeting by the
 *   diversion reason, else one built from prompts ("the person at" + name
 *   recording or extension digits + "is on the phone" / "is unavailable",
 *   then the instructions). `#` skips to the beep.
 * - Recording ends on hang-up, `#`, `maxMessageMs` or `maxSilenceMs`;
 *   shorter than `minMessageMs` (after trimming) is discarded: no message,
 *   no lamp (callers who hang up during the greeting).
 * - After `#`: review (1 accept, 2 listen, 3 re-record, 4 urgent); a hang-up
 *   in review keeps the message, as Asterisk does.
 * - A full mailbox (`--max-messages`) takes nothing: the caller hears so.
 */
import { HangUp, type CallIo, type Pcm } from './call-io.js';
import type { DiversionReason } from './call-target.js';
import type { CallerIdentity } from './caller-identity.js';
import type { MailboxAccess, PromptSource } from './flow-ports.js';

/** Limits of a deposit (`--max-message`, `--min-message`, `--max-silence`), in ms. */
export interface DepositLimits {
  maxMessageMs: number;
  minMessageMs: number;
  maxSilenceMs: number;
}

/** One call that leaves a message. */
export interface DepositRequest {
  mailbox: string;
  /** What the greeting says: the user's extension when they have one. */
  spokenId: string;
  reason: DiversionReason | undefined;
  caller: CallerIdentity;
  callId: string;
  /** `Priority: urgent` on the INVITE (RFC 3261 20.26). */
  urgent: boolean;
}

/** How a deposit call ended (metrics, logs). */
export type DepositOutcome = 'stored' | 'too-short' | 'mailbox-full' | 'hangup-before-beep' | 'failed';

const REVIEW_WAIT_MS = 5000;
const SAMPLES_PER_MS = 8;

async function greeting(io: CallIo, p: PromptSource, box: MailboxAccess, r: DepositRequest): Promise<void> {
  const own =
    (await box.greeting(r.mailbox, 'temporary')) ??
    (r.reason === 'busy' ? await box.greeting(r.mailbox, 'busy') : undefined) ??
    (await box.greeting(r.mailbox, 'unavailable'));
  if (own) {
    await io.play(own, '#');
    return;
  }
  const name = await box.greeting(r.mailbox, 'name');
  const parts: Pcm[] = [await p.get('vm-theperson')];
  if (name) parts.push(name);
  else for (const d of r.spokenId) if (/[0-9]/.test(d)) parts.push(await p.get(`digits/${d}`));
  parts.push(await p.get(r.reason === 'busy' ? 'vm-isonphone' : 'vm-isunavail'));
  parts.push(await p.get('vm-intro'));
  for (const part of parts) if ((await io.play(part, '#')) === '#') return;
}

/** Review after `#` (Asterisk's `review` option): returns whether to keep it and the (re-)recording. */
async function review(
  io: CallIo,
  p: PromptSource,
  rec: Pcm,
  urgent: { value: boolean },
  record: () => Promise<Pcm | undefined>,
): Promise<Pcm | undefined> {
  let current = rec;
  for (let tries = 0; tries < 3;) {
    const key =
      (await io.play(await p.get('vm-review'), '1234')) ??
      (await io.play(await p.get('vm-review-urgent'), '1234')) ??
      (await io.digit(REVIEW_WAIT_MS));
    switch (key) {
      case '1':
        return current;
      case '2':
        await io.play(current, '1234#');
        break;
      case '3': {
        const again = await record();
        if (!again) return undefined;
        current = again;
        break;
      }
      case '4':
        urgent.value = true;
        await io.play(await p.get('vm-marked-urgent'));
        break;
      case undefined:
        tries++;
        break;
      default:
        break;
    }
  }
  return current; // no answer: kept, as a hang-up would keep it
}

/**
 * Run a deposit on a call. Never throws: the outcome says what happened,
 * and the call is hung up at the end.
 */
export async function runDeposit(
  io: CallIo,
  prompts: PromptSource,
  box: MailboxAccess,
  limits: DepositLimits,
  r: DepositRequest,
): Promise<DepositOutcome> {
  const urgent = { value: r.urgent };
  let pcm: Pcm | undefined;
  let heardBeep = false;
  try {
    if (await box.isFull(r.mailbox)) {
      await io.play(await prompts.get('vm-mailboxfull'));
      await io.play(await prompts.get('vm-goodbye'));
      return 'mailbox-full';
    }
    await greeting(io, prompts, box, r);
    let hungUp = false;
    const recordOnce = async (): Promise<Pcm | undefined> => {
      io.flushDigits();
      await io.play(await prompts.beep());
      heardBeep = true;
      const rec = await io.record({ maxMs: limits.maxMessageMs, maxSilenceMs: limits.maxSilenceMs, stopKeys: '#' });
      if (rec.end === 'hangup') hungUp = true;
      if (rec.pcm.length < limits.minMessageMs * SAMPLES_PER_MS) return undefined;
      return rec.pcm;
    };
    pcm = await recordOnce();
    if (!pcm) {
      if (!hungUp) await io.play(await prompts.get('vm-goodbye')).catch(() => undefined);
      return 'too-short';
    }
    if (!hungUp) {
      try {
        pcm = await review(io, prompts, pcm, urgent, recordOnce);
      } catch (e) {
        if (!(e instanceof HangUp)) throw e;
        // a hang-up in review keeps what was recorded
      }
      if (!pcm) return 'too-short';
    }
  } catch (e) {
    if (!(e instanceof HangUp)) throw e;
    if (!pcm) return heardBeep ? 'too-short' : 'hangup-before-beep';
  } finally {
    if (!pcm) io.hangUp();
  }
  try {
    await box.deposit({
      mailbox: r.mailbox,
      pcm,
      caller: r.caller,
      urgent: urgent.value,
      callId: r.callId,
      reason: r.reason ?? null,
      origin: 'call',
    });
  } catch {
    // nothing was stored (the audio and the row move together): the caller hears so
    if (!io.ended) await io.play(await prompts.get('vm-sorry')).catch(() => undefined);
    io.hangUp();
    return 'failed';
  }
  if (!io.ended) {
    try {
      await io.play(await prompts.get('vm-msgsaved'));
      await io.play(await prompts.get('vm-goodbye'));
    } catch (e) {
      if (!(e instanceof HangUp)) throw e;
    }
  }
  io.hangUp();
  return 'stored';
}
