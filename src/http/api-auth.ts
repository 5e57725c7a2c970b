import { createHash, timingSafeEqual } from 'node:crypto';

/** Who is calling the API (CONTRACT.md: a bearer token, or Basic with a user's own password). */
export type ApiCaller =
  { kind: 'token'; id: string; scope: 'admin' | 'mwi:write'; mailbox: string | null } | { kind: 'user'; name: string };

/** What the API needs to check credentials (the app implements it over storage). */
export interface ApiCredentials {
  /** A token by the SHA-256 (hex) of its text. */
  tokenByHash(hash: string): { id: string; scope: 'admin' | 'mwi:write'; mailbox: string | null } | undefined;
  /** The stored MD5 HA1 and realm of a user, to check a Basic password without keeping passwords (RFC 7617 + RFC 2617 HA1). */
  userHa1(name: string): { realm: string; ha1Md5: string } | undefined;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Is `password` the SIP password of user `name`? Checked against the stored MD5 HA1 (RFC 2617
 * section 3.2.2.2), so no password is kept; Basic (RFC 7617) and the web inbox's sign-in use it.
 */
export function checkUserPassword(creds: ApiCredentials, name: string, password: string): boolean {
  const u = creds.userHa1(name);
  // Same work for unknown users as for known ones: no enumeration by timing.
  const expected = Buffer.from(u?.ha1Md5 ?? '0'.repeat(32), 'hex');
  const actual = Buffer.from(
    createHash('md5')
      .update(`${name}:${u?.realm ?? ''}:${password}`)
      .digest('hex'),
    'hex',
  );
  return !!u && expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Parse and verify an Authorization header; undefined when absent or wrong (the caller answers 401). */
export function authenticateApi(header: string | undefined, creds: ApiCredentials): ApiCaller | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) {
    const t = creds.tokenByHash(sha256Hex(value));
    return t && { kind: 'token', id: t.id, scope: t.scope, mailbox: t.mailbox };
  }
  if (scheme === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const name = decoded.slice(0, colon);
    return checkUserPassword(creds, name, decoded.slice(colon + 1)) ? { kind: 'user', name } : undefined;
  }
  return undefined;
}

/** May this caller read the lamp of `mailbox`? Admin tokens, mwi:write tokens (for their mailbox, or all), the owner. */
export function mayRead(c: ApiCaller, mailbox: string): boolean {
  if (c.kind === 'user') return c.name === mailbox;
  return c.scope === 'admin' || c.mailbox === null || c.mailbox === mailbox;
}

/** May this caller set its source's counts of `mailbox`? Tokens with mwi:write (or admin) for that mailbox. */
export function mayWrite(c: ApiCaller, mailbox: string): boolean {
  return c.kind === 'token' && (c.scope === 'admin' || c.mailbox === null || c.mailbox === mailbox);
}
