/**
 * The web inbox's session cookie (RFC 6265): read from the `Cookie` header,
 * written with `HttpOnly; SameSite=Strict; Path=/` and `Secure` over https
 * (RFC 6265bis section 4.1.2.7 for SameSite). By hand: one cookie, and
 * `@fastify/cookie` is not a dependency.
 */

export const SESSION_COOKIE = 'openum_session';

/** The value of the session cookie in a `Cookie` header, or undefined. */
export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** `Set-Cookie` for a new session id (a session cookie: no Max-Age, the server expires it). */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that removes the session cookie (logout). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
