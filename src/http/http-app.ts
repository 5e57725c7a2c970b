import Fastify, { type FastifyInstance } from 'fastify';
import { RealClock, type Clock } from '../base/clock.js';
import type { ApiCredentials } from './api-auth.js';
import { registerAutodiscoverRoutes } from './ews/autodiscover-routes.js';
import type { AutodiscoverUser } from './ews/autodiscover-shared.js';
import { httpUserAuth } from './ews/ews-auth.js';
import { ntlmAuth, type NtlmUserLookup } from './ews/ews-ntlm.js';
import { EWS_PATHS, registerEwsRoutes } from './ews/ews-routes.js';
import { jsonError } from './json-error.js';
import { registerMessageRoutes, type MessagesApi } from './message-routes.js';
import { registerMwiRoutes, type MwiApi } from './mwi-routes.js';
import type { LampWatch } from './web/lamp-events.js';
import { LoginThrottle } from './web/login-throttle.js';
import { checkSession } from './web/session-auth.js';
import { registerWebRoutes } from './web/web-routes.js';
import { WebSessions } from './web/web-sessions.js';

export { jsonError } from './json-error.js';
export type { LampWatch, WebLamp } from './web/lamp-events.js';

/** What the HTTP side needs from the rest of the server (a delegate; http/ never imports sip/). */
export interface HttpAppDeps {
  /** Liveness facts shown by /healthz. */
  health(): Record<string, number>;
  version: string;
  /** Prometheus exposition text and its content type. */
  metrics?(): Promise<{ contentType: string; text: string }>;
  mwi?: MwiApi;
  /** Messages and greetings (the voicemail layer, through the app). */
  messages?: MessagesApi;
  /** Largest WAV upload in bytes (default AUDIO_BODY_LIMIT, 50 MB). */
  audioBodyLimit?: number;
  credentials?: ApiCredentials;
  /** EWS: accept Basic over plain HTTP from other hosts than loopback (`--allow-insecure-basic`). */
  allowInsecureBasic?: boolean;
  /** EWS and Autodiscover: NTLM for this SIP domain, with users' NT hashes. */
  ntlm?: { domain: string; lookup: NtlmUserLookup };
  /** Autodiscover: a user by name or extension. */
  findUser?(nameOrExtension: string): AutodiscoverUser | undefined;
  /** The web inbox's live lamp: the mailbox's counts and their changes (the MWI service, through the app). */
  lamps?: LampWatch;
  /** Time and timers of the web inbox (sessions' idle expiry, login throttling, event pings); default the real clock. */
  clock?: Clock;
  /** Web inbox sessions end after this long idle (default 30 minutes). */
  webSessionIdleMs?: number;
  /** The web inbox's folder (default: `web/` of the openum package). */
  webDir?: string;
}

/** Error codes for fastify's own errors (bad JSON, too large, wrong type). */
const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'too_large',
  415: 'unsupported_media_type',
};

/**
 * The fastify application: /healthz, /metrics, the MWI API, messages and greetings, EWS, and the web
 * inbox (`GET /`, `/web/...`, issue 10 section 2); the rest of the REST API mounts here as it arrives. Every error, including fastify's own (bad JSON,
 * unknown route), leaves as the JSON error shape.
 */
export function buildHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(jsonError('not_found', `no route ${req.method} ${req.url}`));
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
    void reply.code(status).send(jsonError(code, status >= 500 ? 'internal error' : err.message));
  });
  app.get('/healthz', async () => ({ status: 'ok', version: deps.version, ...deps.health() }));
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, reply) => {
      const m = await metrics();
      return reply.header('Content-Type', m.contentType).send(m.text);
    });
  }
  if (deps.mwi && deps.credentials) registerMwiRoutes(app, deps.mwi, deps.credentials);
  if (deps.messages && deps.credentials) {
    const clock = deps.clock ?? new RealClock();
    const now = (): number => clock.now();
    const sessions = new WebSessions(now, deps.webSessionIdleMs);
    registerWebRoutes(app, {
      sessions,
      throttle: new LoginThrottle(now),
      credentials: deps.credentials,
      clock,
      ...(deps.lamps && { lamps: deps.lamps }),
      ...(deps.webDir !== undefined && { webDir: deps.webDir }),
    });
    registerMessageRoutes(app, deps.messages, deps.credentials, {
      ...(deps.audioBodyLimit !== undefined && { audioBodyLimit: deps.audioBodyLimit }),
      session: (req) => checkSession(sessions, req),
    });
    const api = deps.messages;
    const authenticate = httpUserAuth({
      credentials: deps.credentials,
      ...(deps.allowInsecureBasic !== undefined && { allowInsecureBasic: deps.allowInsecureBasic }),
      ...(deps.ntlm && { extraAuth: ntlmAuth(deps.ntlm.domain, deps.ntlm.lookup) }),
    });
    const findUser = deps.findUser;
    if (findUser) {
      registerAutodiscoverRoutes(app, {
        // as the client reached us: the Host it used, the scheme of this connection
        ewsUrl: (req) => `${req.protocol}://${req.headers.host ?? req.hostname}${EWS_PATHS[0]}`,
        findUser: async (local) => findUser(local),
        authenticate,
      });
    }
    registerEwsRoutes(app, {
      messages: api,
      authenticate,
    });
  }
  return app;
}
