import { equalsLower } from './message-summary-chars.js';

/**
 * The message-context-class values of RFC 3458 section 6.2 that
 * RFC 3842 section 5.2 allows on a summary line.
 */
export type MessageClass =
  'voice-message' | 'fax-message' | 'pager-message' | 'multimedia-message' | 'text-message' | 'none';

/** The known classes in RFC 3458 / RFC 3842 order: the order a canonical body lists them. */
export const MESSAGE_CLASSES: readonly MessageClass[] = [
  'voice-message',
  'fax-message',
  'pager-message',
  'multimedia-message',
  'text-message',
  'none',
];

/** Header names written for the known classes (the capitalisation of RFC 3842's examples). */
export const MESSAGE_CLASS_HEADER: Readonly<Record<MessageClass, string>> = {
  'voice-message': 'Voice-Message',
  'fax-message': 'Fax-Message',
  'pager-message': 'Pager-Message',
  'multimedia-message': 'Multimedia-Message',
  'text-message': 'Text-Message',
  none: 'None',
};

/**
 * The known class named by `[start, end)` (case-insensitive), or undefined.
 * Returns the shared constant, so a parsed summary allocates no key string
 * for known classes.
 */
export function matchMessageClass(s: string, start: number, end: number): MessageClass | undefined {
  for (const cls of MESSAGE_CLASSES) {
    if (equalsLower(s, start, end, cls)) return cls;
  }
  return undefined;
}

/** True when `key` is exactly (case-sensitively) one of the RFC 3458 class names. */
export function isMessageClass(key: string): key is MessageClass {
  return (MESSAGE_CLASSES as readonly string[]).includes(key);
}

/** `x-foo-bar` -> `X-Foo-Bar`: how an unknown class key is written back. */
export function headerCase(key: string): string {
  let out = '';
  let up = true;
  for (let i = 0; i < key.length; i++) {
    const ch = key[i] ?? '';
    out += up ? ch.toUpperCase() : ch;
    up = ch === '-';
  }
  return out;
}
