/**
 * What the voicemail says, as lists of prompt names for a `PromptLibrary`
 * (media/prompt-library.ts), in English, following Asterisk's app_voicemail
 * so that its English sound sets fit: the message counts (`vm_intro_en`),
 * the envelope (`play_message`, `play_message_datetime`,
 * `play_message_callerid`, `play_message_duration`), and numbers, ordinals
 * and digits (say-number.ts) and dates (say-date.ts).
 */
import { sayDigits, sayNumber } from './say-number.js';

export { sayDigits, sayNumber, sayOrdinal, SAY_MAX } from './say-number.js';
export { sayDateTime } from './say-date.js';

/**
 * "You have 2 new messages and 1 old message", "You have 1 new message",
 * "You have no messages"; urgent ones first when there are any ("You have
 * 1 urgent message and 3 new messages").
 *
 * Asterisk's `vm_intro_en` drops "messages" before "and" ("you have 2 new
 * and 1 old message"); openum says it after every count, which is the
 * same prompts in better English.
 */
export function sayCounts(newCount: number, oldCount: number, urgentCount = 0): string[] {
  const groups: [number, string][] = [
    [urgentCount, 'vm-Urgent'],
    [newCount, 'vm-INBOX'],
    [oldCount, 'vm-Old'],
  ];
  const out = ['vm-youhave'];
  for (const [count, kind] of groups) {
    if (count <= 0) continue;
    if (out.length > 1) out.push('vm-and');
    out.push(...sayNumber(count), kind, count === 1 ? 'vm-message' : 'vm-messages');
  }
  if (out.length === 1) out.push('vm-no', 'vm-messages');
  return out;
}

/**
 * Which message this is, before its envelope (`play_message`): "first
 * message", "last message", or "message 3". `index` counts from 0 in a
 * folder of `count` messages.
 */
export function sayMessageIntro(index: number, count: number): string[] {
  if (index === 0) return ['vm-first', 'vm-message'];
  if (index === count - 1) return ['vm-last', 'vm-message'];
  return ['vm-message', ...sayNumber(index + 1)];
}

/**
 * Who left it (`play_message_callerid`, for a caller outside the system):
 * "message from phone number 5 5 5 1 2 3 4", or "from an unknown caller"
 * when the caller ID has no digit (absent, "anonymous", "Unknown").
 */
export function sayFrom(callerNumber?: string): string[] {
  const digits = sayDigits(callerNumber ?? '');
  return digits.length ? ['vm-from-phonenumber', ...digits] : ['vm-unknown-caller'];
}

/**
 * How long it lasts (`play_message_duration`): "This message lasts 3
 * minutes", only from `minMinutes` whole minutes on (Asterisk's
 * `saydurationm`, default 2); nothing for shorter messages.
 */
export function sayDuration(seconds: number, minMinutes = 2): string[] {
  const minutes = Math.floor(seconds / 60);
  if (minutes < Math.max(minMinutes, 0) || minutes === 0) return [];
  return ['vm-duration', ...sayNumber(Math.min(minutes, 999_999)), 'vm-minutes'];
}
