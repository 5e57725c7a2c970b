/**
 * `GET /web/events`: the signed-in mailbox's lamp as server-sent events
 * (HTML Living Standard section 9.2, `text/event-stream`). One `lamp` event
 * on connect and one on every change of the mailbox's lamp (a deposit, a read,
 * a delete, an API, NOTIFY or PUBLISH update all move it); a comment line
 * every 25 s keeps proxies from closing the idle stream (it does not keep the
 * session alive: an unattended page still signs out after the idle time).
 * The stream ends when the session ends (logout; expiry, seen at the next
 * ping) or the server closes.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Clock, TimerHandle } from '../../base/clock.js';
import { jsonError } from '../json-error.js';
import { readSessionCookie } from './session-cookie.js';
import type { WebSessions } from './web-sessions.js';

/** A mailbox's lamp as the page shows it (the MWI service's counts, RFC 3842 section 5.2). */
export interface WebLamp {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
  /** Rises on every change. */
  version: number;
}

/** The lamps of mailboxes and their changes (the app implements it over the MWI service). */
export interface LampWatch {
  get(mailbox: string): WebLamp;
  /** Call `listener` on every change of `mailbox`'s lamp until the returned function is called. */
  watch(mailbox: string, listener: (lamp: WebLamp) => void): () => void;
}

/** Between two keep-alive comments. */
export const PING_MS = 25_000;

function lampEvent(l: WebLamp): string {
  const data = { new: l.new, old: l.old, urgentNew: l.urgentNew, urgentOld: l.urgentOld, version: l.version };
  return `event: lamp\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Register `GET /web/events`. */
export function registerLampEvents(
  app: FastifyInstance,
  deps: { sessions: WebSessions; lamps: LampWatch; clock: Clock },
): void {
  const open = new Set<ServerResponse>();
  // An open stream would hold fastify's close forever: end them all first.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/web/events', async (req, reply) => {
    const id = readSessionCookie(req.headers.cookie);
    const session = deps.sessions.get(id);
    if (!id || !session) return reply.code(401).send(jsonError('unauthorized', 'sign in first'));
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no',
    });
    open.add(res);
    let ping: TimerHandle | undefined;
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (): void => {
      if (done) return;
      done = true;
      open.delete(res);
      if (ping) deps.clock.clearTimeout(ping);
      for (const c of cleanups) c();
      if (!res.writableEnded) res.end();
    };
    const schedulePing = (): void => {
      ping = deps.clock.setTimeout(() => {
        if (!deps.sessions.alive(id)) return finish();
        res.write(': ping\n\n');
        schedulePing();
      }, PING_MS);
    };
    res.write(`retry: 3000\n${lampEvent(deps.lamps.get(session.user))}`);
    cleanups.push(deps.lamps.watch(session.user, (l) => res.write(lampEvent(l))));
    cleanups.push(deps.sessions.onEnd(id, finish));
    req.raw.on('close', finish);
    res.on('close', finish);
    schedulePing();
    return reply;
  });
}
