import type { SipRequest } from '../sip/message/index.js';

/** The event package a SUBSCRIBE names: the Event token, lower-case, parameters dropped (RFC 6665 section 8.2.1). */
export function eventName(req: SipRequest): string | undefined {
  const v = req.getHeader('Event');
  if (v === undefined) return undefined;
  const semi = v.indexOf(';');
  const token = (semi < 0 ? v : v.slice(0, semi)).trim().toLowerCase();
  return token === '' ? undefined : token;
}

/**
 * Does an Accept list (RFC 3261 section 20.1) admit one of our types?
 * Parameters are ignored; `*\/*` and `type/*` match.
 */
export function acceptable(accept: readonly string[], ours: readonly string[]): boolean {
  for (const raw of accept) {
    const range = (raw.split(';')[0] ?? '').trim().toLowerCase();
    if (range === '' || range === '*/*') return true;
    for (const t of ours) {
      const type = t.toLowerCase();
      if (range === type) return true;
      if (range.endsWith('/*') && type.startsWith(range.slice(0, -1))) return true;
    }
  }
  return false;
}
