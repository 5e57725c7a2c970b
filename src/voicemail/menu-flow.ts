/**
 * The phone menu (Asterisk's VoiceMailMain, Exchange UM's Outlook Voice
 * Access keypad): log in, hear the counts, listen, save, delete, record
 * greetings, change the PIN.
 *
 * Keys, as in Asterisk: main menu 1 listen, 0 mailbox options, * help,
 * # goodbye. While or after a message: 5 repeat, 4 previous, 6 next,
 * 7 delete, 9 save, 3 skip to its end, # next, * help. Options: 1 unavailable
 * greeting, 2 busy, 3 name, 4 temporary, 5 PIN, * back. A message heard to
 * its end (or skipped to it, or saved) becomes old; a deletion moves the
 * lamp at once.
 */
import { HangUp, type CallIo, type Pcm } from './call-io.js';
import type { GreetingKind, MailboxAccess, PromptSource, StoredMessage } from './flow-ports.js';
import type { PinGuard } from './pin-guard.js';

/** Words from numbers and times, as prompt names (say.ts). */
export interface Speech {
  counts(newCount: number, oldCount: number): string[];
  number(n: number): string[];
  digits(s: string): string[];
  dateTime(epochMs: number): string[];
}

/** What the menu does with mailboxes, beyond a deposit. */
export interface MenuAccess extends MailboxAccess {
  /** The mailbox a caller typed (its name in digits or the user's extension). */
  findMailbox(typed: string): Promise<string | undefined>;
  /**
   * Whether the menu asks this mailbox's PIN of a caller on the user's own
   * (digest-authenticated) phone: a PIN is set and the user has not turned
   * `--own-phone-pin` off.
   */
  pinOnOwnPhone(mailbox: string): Promise<boolean>;
  checkPin(mailbox: string, pin: string): Promise<boolean>;
  setPin(mailbox: string, pin: string): Promise<void>;
  messages(mailbox: string): Promise<StoredMessage[]>;
  audio(id: string): Promise<Pcm>;
  setRead(id: string, read: boolean): Promise<unknown>;
  remove(id: string): Promise<unknown>;
  saveGreeting(mailbox: string, kind: GreetingKind, pcm: Pcm): Promise<void>;
}

/** Who is calling the pilot. */
export interface MenuLogin {
  /** The mailbox of a caller authenticated by digest (their own phone), if any. */
  authenticated: string | undefined;
}

const KEY_WAIT_MS = 6000;
const PIN_MAX = 12;
const MIN_PIN_LENGTH = 4;

/** Plays a list of prompts; the first key in `interruptBy` stops it and is returned. */
async function say(io: CallIo, p: PromptSource, names: string[], interruptBy?: string): Promise<string | undefined> {
  for (const n of names) {
    const k = await io.play(await p.get(n), interruptBy);
    if (k !== undefined) return k;
  }
  return undefined;
}

/** The menu on one call; resolves when the caller leaves or hangs up. Never throws HangUp. */
export async function runMenu(
  io: CallIo,
  p: PromptSource,
  box: MenuAccess,
  speech: Speech,
  guard: PinGuard,
  login: MenuLogin,
): Promise<'done' | 'login-failed'> {
  try {
    const mailbox = await logIn(io, p, box, guard, login);
    if (!mailbox) {
      await say(io, p, ['vm-goodbye']);
      return 'login-failed';
    }
    await mainMenu(io, p, box, speech, mailbox);
    await say(io, p, ['vm-goodbye']);
    return 'done';
  } catch (e) {
    if (!(e instanceof HangUp)) throw e;
    return 'done';
  } finally {
    io.hangUp();
  }
}

/** Mailbox (unless authenticated), then PIN; three wrong tries end the call. */
async function logIn(
  io: CallIo,
  p: PromptSource,
  box: MenuAccess,
  guard: PinGuard,
  login: MenuLogin,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let mailbox = login.authenticated;
    if (mailbox === undefined) {
      const typed = (await say(io, p, ['vm-login'], '0123456789')) ?? '';
      mailbox = await box.findMailbox(typed + (await io.digits(16, KEY_WAIT_MS)));
    } else if (!(await box.pinOnOwnPhone(mailbox))) {
      return mailbox; // their own phone, already authenticated: no PIN set, or the user turned the question off
    }
    const first = (await say(io, p, ['vm-password'], '0123456789')) ?? '';
    const pin = first + (await io.digits(PIN_MAX, KEY_WAIT_MS));
    if (mailbox !== undefined && guard.allowed(mailbox) && (await box.checkPin(mailbox, pin))) {
      guard.succeeded(mailbox);
      return mailbox;
    }
    if (mailbox !== undefined) guard.failed(mailbox);
    await say(io, p, ['vm-incorrect']);
  }
  return undefined;
}

/** New first, urgent first within each group; then old ones (Asterisk's INBOX then Old). */
function listenOrder(ms: StoredMessage[]): StoredMessage[] {
  const rank = (m: StoredMessage): number => (m.read ? 2 : 0) + (m.urgent ? 0 : 1);
  return [...ms].sort((a, b) => rank(a) - rank(b) || a.receivedAt - b.receivedAt);
}

async function mainMenu(io: CallIo, p: PromptSource, box: MenuAccess, speech: Speech, mailbox: string): Promise<void> {
  const all = await box.messages(mailbox);
  const fresh = all.filter((m) => !m.read).length;
  let key = await say(io, p, speech.counts(fresh, all.length - fresh), '0123456789*#');
  for (let idle = 0; idle < 3;) {
    key ??= (await say(io, p, ['vm-mainmenu'], '0123456789*#')) ?? (await io.digit(KEY_WAIT_MS));
    switch (key) {
      case '1':
        await listen(io, p, box, speech, mailbox);
        break;
      case '0':
        await options(io, p, box, mailbox);
        break;
      case '#':
        return;
      case undefined:
        idle++;
        break;
      default:
        break; // '*' and others: the menu again
    }
    key = undefined;
  }
}

/** Listening to the messages, one after another. */
async function listen(io: CallIo, p: PromptSource, box: MenuAccess, speech: Speech, mailbox: string): Promise<void> {
  const list = listenOrder(await box.messages(mailbox));
  if (list.length === 0) {
    await say(io, p, ['vm-no', 'vm-messages']);
    return;
  }
  let i = 0;
  const deleted = new Set<string>();
  while (i >= 0 && i < list.length) {
    const m = list[i] as StoredMessage;
    if (deleted.has(m.id)) {
      i++;
      continue;
    }
    let key = await envelope(io, p, speech, m, i, list.length);
    if (key === undefined) key = await io.play(await box.audio(m.id), '345679#*0');
    if (key === undefined || key === '3') await markRead(box, m); // heard (or skipped) to its end
    key ??= (await say(io, p, ['vm-msginstruct'], '0123456789*#')) ?? (await io.digit(KEY_WAIT_MS));
    switch (key) {
      case '5':
        break; // the same message again
      case '4':
        i = Math.max(0, i - 1);
        break;
      case '7':
        await box.remove(m.id);
        deleted.add(m.id);
        await say(io, p, ['vm-deleted']);
        i++;
        break;
      case '9':
        await markRead(box, m);
        await say(io, p, ['vm-saved']);
        i++;
        break;
      case '0':
        await options(io, p, box, mailbox);
        return;
      case undefined:
        return; // nobody answers: back to the main menu
      default:
        i++; // 6, #, 3: the next one
        break;
    }
  }
  await say(io, p, ['vm-nomore']);
}

async function markRead(box: MenuAccess, m: StoredMessage): Promise<void> {
  if (m.read) return;
  await box.setRead(m.id, true);
  m.read = true;
}

/** "First message / message N, received DATE, from NUMBER". */
async function envelope(
  io: CallIo,
  p: PromptSource,
  speech: Speech,
  m: StoredMessage,
  i: number,
  total: number,
): Promise<string | undefined> {
  const keys = '345679#*0';
  const which =
    i === 0
      ? ['vm-first', 'vm-message']
      : i === total - 1
        ? ['vm-last', 'vm-message']
        : ['vm-message', ...speech.number(i + 1)];
  const urgent = m.urgent && !m.read ? ['vm-Urgent'] : [];
  const from = m.callerNumber ? ['vm-from', ...speech.digits(m.callerNumber)] : [];
  return say(io, p, [...which, ...urgent, 'vm-received', ...speech.dateTime(m.receivedAt), ...from], keys);
}

const GREETING_KEYS: Readonly<Record<string, { kind: GreetingKind; prompt: string }>> = {
  '1': { kind: 'unavailable', prompt: 'vm-rec-unv' },
  '2': { kind: 'busy', prompt: 'vm-rec-busy' },
  '3': { kind: 'name', prompt: 'vm-rec-name' },
  '4': { kind: 'temporary', prompt: 'vm-rec-temp' },
};

/** Mailbox options (Asterisk's vm_options). */
async function options(io: CallIo, p: PromptSource, box: MenuAccess, mailbox: string): Promise<void> {
  for (let idle = 0; idle < 3;) {
    const key = (await say(io, p, ['vm-options'], '12345*#')) ?? (await io.digit(KEY_WAIT_MS));
    if (key === undefined) {
      idle++;
      continue;
    }
    if (key === '*' || key === '#') return;
    const g = GREETING_KEYS[key];
    if (g) await recordGreeting(io, p, box, mailbox, g.kind, g.prompt);
    else if (key === '5') await changePin(io, p, box, mailbox);
  }
}

async function recordGreeting(
  io: CallIo,
  p: PromptSource,
  box: MenuAccess,
  mailbox: string,
  kind: GreetingKind,
  prompt: string,
): Promise<void> {
  for (let tries = 0; tries < 3; tries++) {
    await say(io, p, [prompt]);
    io.flushDigits();
    await io.play(await p.beep());
    const rec = await io.record({ maxMs: 60_000, maxSilenceMs: 5000, stopKeys: '#' });
    if (rec.end === 'hangup') throw new HangUp();
    for (;;) {
      const key = (await say(io, p, ['vm-review'], '123')) ?? (await io.digit(KEY_WAIT_MS));
      if (key === '2') {
        await io.play(rec.pcm, '13');
        continue;
      }
      if (key === '1' || key === undefined) {
        if (rec.pcm.length === 0) break;
        await box.saveGreeting(mailbox, kind, rec.pcm);
        await say(io, p, ['vm-msgsaved']);
        return;
      }
      break; // 3: record again
    }
  }
}

async function changePin(io: CallIo, p: PromptSource, box: MenuAccess, mailbox: string): Promise<void> {
  const first = (await say(io, p, ['vm-newpassword'], '0123456789')) ?? '';
  const pin = first + (await io.digits(PIN_MAX, KEY_WAIT_MS));
  const again =
    ((await say(io, p, ['vm-reenterpassword'], '0123456789')) ?? '') + (await io.digits(PIN_MAX, KEY_WAIT_MS));
  if (pin.length < MIN_PIN_LENGTH || pin !== again) {
    await say(io, p, ['vm-mismatch']);
    return;
  }
  await box.setPin(mailbox, pin);
  await say(io, p, ['vm-passchanged']);
}
