/**
 * A request authenticated by the web inbox's session cookie (issue 10
 * section 2): the session's user for safe methods (GET, HEAD: an `<audio src>`
 * sends the cookie but cannot add headers), and for any other method only
 * with the session's CSRF token in `X-Openum-CSRF` (OWASP synchronizer token
 * pattern; SameSite=Strict is the second line).
 */
import type { FastifyRequest } from 'fastify';
import { readSessionCookie } from './session-cookie.js';
import { sameToken, type WebSessions } from './web-sessions.js';

/** The header that carries the CSRF token (lower case, as Node gives headers). */
export const CSRF_HEADER = 'x-openum-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session's user, `'csrf'` when a state-changing request lacks the right token, undefined without a live session. */
export type SessionCheck = { user: string } | 'csrf' | undefined;

/** Check the request's session cookie (and, unless the method is safe, its CSRF header). */
export function checkSession(sessions: WebSessions, req: FastifyRequest): SessionCheck {
  const s = sessions.get(readSessionCookie(req.headers.cookie));
  if (!s) return undefined;
  if (SAFE_METHODS.has(req.method)) return { user: s.user };
  const token = req.headers[CSRF_HEADER];
  return sameToken(s.csrf, typeof token === 'string' ? token : undefined) ? { user: s.user } : 'csrf';
}
