/**
 * A copy of `s` that shares no memory with the message it was cut from.
 *
 * V8 makes substrings as slices of their parent string, and a template
 * string of slices as a tree that points at them: a header value, or a key
 * built from one (a transaction key holds the Via branch), kept for
 * seconds or hours keeps the whole raw SIP message alive (a heap
 * snapshot shows it as the message's size per map entry). A round trip through a Buffer makes a
 * flat string of its own; it costs well under a microsecond, so it is
 * paid once for what is kept, never per message.
 */
export function ownString(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}
