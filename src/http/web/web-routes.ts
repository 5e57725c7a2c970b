/**
 * Sign-in for the web inbox (issue 10 section 2):
 *
 * | route | answer |
 * |---|---|
 * | `POST /web/login` `{user, password}` | 200 `{user, csrf}` + the session cookie; 401 wrong; 429 throttled |
 * | `GET /web/session` | 200 `{user, csrf}` for a live session (a reloaded page), else 401 |
 * | `POST /web/logout` | 204, the session ended and its cookie cleared (CSRF header required) |
 * | `GET /web/events` | the lamp as server-sent events (lamp-events.ts) |
 *
 * The password is the SIP user's, checked against the stored HA1 as Basic
 * is. The sign-in takes JSON only, which a cross-site form cannot send
 * without a CORS preflight (no login CSRF).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../base/clock.js';
import { checkUserPassword, type ApiCredentials } from '../api-auth.js';
import { jsonError } from '../json-error.js';
import { registerLampEvents, type LampWatch } from './lamp-events.js';
import type { LoginThrottle } from './login-throttle.js';
import { CSRF_HEADER } from './session-auth.js';
import { clearedSessionCookie, readSessionCookie, sessionCookie } from './session-cookie.js';
import { registerWebStatic } from './web-static.js';
import { sameToken, type WebSessions } from './web-sessions.js';

const loginBody = z.object({ user: z.string().min(1).max(128), password: z.string().max(1024) }).strict();

export interface WebRoutesDeps {
  sessions: WebSessions;
  throttle: LoginThrottle;
  credentials: ApiCredentials;
  clock: Clock;
  /** The lamp and its changes; without it there is no `/web/events`. */
  lamps?: LampWatch;
  /** The page's folder (default: `web/` of the openum package). */
  webDir?: string;
}

/** Register the page, the sign-in routes and the event stream. */
export function registerWebRoutes(app: FastifyInstance, deps: WebRoutesDeps): void {
  const { sessions, throttle } = deps;
  registerWebStatic(app, deps.webDir);
  if (deps.lamps) registerLampEvents(app, { sessions, lamps: deps.lamps, clock: deps.clock });

  app.post('/web/login', { bodyLimit: 4096 }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const wait = throttle.retryAfter(req.ip);
    if (wait > 0) {
      return reply
        .code(429)
        .header('Retry-After', String(wait))
        .send(jsonError('too_many_requests', `too many failed sign-ins; try again in ${wait} s`));
    }
    const body = loginBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send(jsonError('bad_request', 'send {"user": "...", "password": "..."}'));
    const { user, password } = body.data;
    if (!checkUserPassword(deps.credentials, user, password)) {
      throttle.failed(req.ip);
      return reply.code(401).send(jsonError('unauthorized', 'wrong user name or password'));
    }
    const { id, session } = sessions.create(user);
    return reply
      .header('Set-Cookie', sessionCookie(id, req.protocol === 'https'))
      .send({ user: session.user, csrf: session.csrf });
  });

  app.get('/web/session', async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const s = sessions.get(readSessionCookie(req.headers.cookie));
    if (!s) return reply.code(401).send(jsonError('unauthorized', 'sign in first'));
    return reply.send({ user: s.user, csrf: s.csrf });
  });

  app.post('/web/logout', async (req, reply) => {
    const id = readSessionCookie(req.headers.cookie);
    const s = sessions.get(id);
    if (s) {
      const token = req.headers[CSRF_HEADER];
      if (!sameToken(s.csrf, typeof token === 'string' ? token : undefined)) {
        return reply.code(403).send(jsonError('csrf', 'the session needs its CSRF token in X-Openum-CSRF'));
      }
      sessions.end(id);
    }
    return reply
      .code(204)
      .header('Set-Cookie', clearedSessionCookie(req.protocol === 'https'))
      .send();
  });
}
