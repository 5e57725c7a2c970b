import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticateApi, type ApiCaller, type ApiCredentials } from './api-auth.js';
import { sendWavFile } from './audio-file-reply.js';
import { jsonError } from './json-error.js';
import {
  GREETING_KINDS,
  MessageApiError,
  toApiMessage,
  type ApiGreetingKind,
  type MessageFailure,
  type MessageInfo,
  type MessagesApi,
} from './message-api.js';
import { AUDIO_BODY_LIMIT, acceptWavBodies, isWavMediaType, looksLikeWav, WAV_MEDIA_TYPES } from './wav-body.js';

export {
  GREETING_KINDS,
  MessageApiError,
  toApiMessage,
  type ApiGreetingKind,
  type ApiMessage,
  type MessageFailure,
  type MessageInfo,
  type MessagesApi,
} from './message-api.js';

/** Message ids as the routes accept them; anything else is a 404 without asking the store. */
const MESSAGE_ID = /^[A-Za-z0-9._~-]{1,128}$/;
/** `from`: up to 64 characters, none of them control or format characters (no terminal escapes, no bidi tricks). */
const FROM = /^[^\p{C}]{1,64}$/u;
const depositQuery = z
  .object({
    from: z.string().regex(FROM, 'at most 64 printable characters').optional().or(z.literal('')),
    urgent: z.enum(['true', 'false', '1', '0'], 'true, false, 1 or 0').optional(),
  })
  .strict();
const patchBody = z.object({ read: z.boolean() }).strict();
/** The phone menu's PIN: 4 to 12 digits, as `openum user add --pin` takes. */
const pinBody = z.object({ pin: z.string().regex(/^\d{4,12}$/, 'the PIN is 4 to 12 digits') }).strict();

/** How each refusal of the delegate leaves (a full mailbox is a conflict with its state, as in Asterisk). */
const FAILURES: Record<MessageFailure, { status: number; code: string }> = {
  'not-found': { status: 404, code: 'not_found' },
  'mailbox-full': { status: 409, code: 'mailbox_full' },
  'bad-audio': { status: 415, code: 'bad_audio' },
  'storage-full': { status: 507, code: 'storage_full' },
};

function badRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  return reply
    .code(400)
    .send(jsonError('bad_request', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid request'));
}

/** Messages are private: the mailbox's owner (Basic) or an admin token; an mwi:write token sees none. */
function mayManage(c: ApiCaller, mailbox: string): boolean {
  return c.kind === 'user' ? c.name === mailbox : c.scope === 'admin';
}

/**
 * The message and greeting routes (CONTRACT.md):
 *
 * | route | answer |
 * |---|---|
 * | `GET /api/v1/mailboxes/NAME/messages` | 200 `{mailbox, messages}`, newest first |
 * | `POST /api/v1/mailboxes/NAME/messages?from=&urgent=` | body audio/wav; 201 + Location |
 * | `GET /api/v1/messages/ID` | 200 the message |
 * | `GET`/`HEAD /api/v1/messages/ID/audio` | 200/206/416, RFC 9110 ranges |
 * | `PATCH /api/v1/messages/ID` | `{"read":bool}`; 200 the message |
 * | `DELETE /api/v1/messages/ID` | 204 |
 * | `PUT /api/v1/mailboxes/NAME/greetings/KIND` | body audio/wav; 204 |
 * | `PUT /api/v1/mailboxes/NAME/pin` | `{"pin":"1234"}` (4-12 digits); 204 |
 *
 * Callers: Basic (the owner), an admin bearer token, or the web inbox's
 * session cookie (the owner; with its CSRF header unless GET/HEAD).
 * Authentication runs in `onRequest`, and a WAV upload's mailbox, media type
 * and query are checked there too, so nobody gets a body read before being
 * allowed to send one. Another user's mailbox is 403 (mailbox names are not
 * secret: they are SIP users); another user's message is 404, the same
 * answer as a missing one, so message ids cannot be probed.
 */
export function registerMessageRoutes(
  app: FastifyInstance,
  api: MessagesApi,
  creds: ApiCredentials,
  o: {
    audioBodyLimit?: number;
    /** The web inbox's session cookie as the mailbox owner, when there is no Authorization header. */
    session?: (req: FastifyRequest) => { user: string } | 'csrf' | undefined;
  } = {},
): void {
  const audioBodyLimit = o.audioBodyLimit ?? AUDIO_BODY_LIMIT;
  const callers = new WeakMap<FastifyRequest, ApiCaller>();
  const deposits = new WeakMap<FastifyRequest, { from: string | null; urgent: boolean }>();

  /** 401, or 403 for a token that is not admin; else remembers the caller for the handler. */
  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    let c = authenticateApi(req.headers.authorization, creds);
    if (!c && req.headers.authorization === undefined && o.session) {
      const s = o.session(req);
      if (s === 'csrf') {
        return reply.code(403).send(jsonError('csrf', 'the session needs its CSRF token in X-Openum-CSRF'));
      }
      if (s) c = { kind: 'user', name: s.user };
    }
    if (!c) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="openum", Basic realm="openum"')
        .send(jsonError('unauthorized', 'a bearer token or Basic credentials are required'));
    }
    if (c.kind === 'token' && c.scope !== 'admin') {
      return reply
        .code(403)
        .send(jsonError('forbidden', "messages need an admin token or the mailbox owner's password"));
    }
    callers.set(req, c);
    return undefined;
  }

  /** 403 or 404 for the mailbox in the path; its name when the caller may use it. */
  function mailboxOf(req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): string | undefined {
    const name = req.params.name;
    if (!mayManage(callers.get(req)!, name)) {
      void reply.code(403).send(jsonError('forbidden', `not allowed to use the mailbox ${name}`));
      return undefined;
    }
    if (!api.mailboxExists(name)) {
      void reply.code(404).send(jsonError('not_found', `no mailbox ${name}`));
      return undefined;
    }
    return name;
  }

  /** The caller's message by the id in the path, or a 404 (also for another user's message). */
  async function messageOf(
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
  ): Promise<MessageInfo | undefined> {
    const id = req.params.id;
    const m = MESSAGE_ID.test(id) ? await api.get(id) : undefined;
    if (m && mayManage(callers.get(req)!, m.mailbox)) return m;
    void reply.code(404).send(jsonError('not_found', `no message ${id}`));
    return undefined;
  }

  /** Before a WAV upload's body is read: the mailbox, then the media type (415). */
  function checkUpload(req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): boolean {
    if (!mailboxOf(req, reply)) return false;
    if (!isWavMediaType(req.headers['content-type'])) {
      void reply.code(415).send(jsonError('unsupported_media_type', `send the audio as ${WAV_MEDIA_TYPES.join(', ')}`));
      return false;
    }
    return true;
  }

  /** The uploaded WAV, or a 400 (empty) / 415 (not RIFF WAVE) sent. */
  function wavBody(req: FastifyRequest, reply: FastifyReply): Buffer | undefined {
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      void reply.code(400).send(jsonError('bad_request', 'the body is empty: send the WAV file'));
      return undefined;
    }
    if (!looksLikeWav(body)) {
      void reply.code(415).send(jsonError('bad_audio', 'the body is not a WAV file (RIFF/WAVE)'));
      return undefined;
    }
    return body;
  }

  /** A delegate's refusal as its JSON error; anything else goes on to the 500 handler. */
  function refused(reply: FastifyReply, e: unknown): FastifyReply {
    if (!(e instanceof MessageApiError)) throw e;
    const f = FAILURES[e.code];
    return reply.code(f.status).send(jsonError(f.code, e.message));
  }

  void app.register(async (scope) => {
    acceptWavBodies(scope);
    scope.addHook('onRequest', authenticate);

    scope.get<{ Params: { name: string } }>('/api/v1/mailboxes/:name/messages', async (req, reply) => {
      const name = mailboxOf(req, reply);
      if (!name) return reply;
      return reply.send({ mailbox: name, messages: (await api.list(name)).map(toApiMessage) });
    });

    scope.post<{ Params: { name: string }; Querystring: Record<string, unknown> }>(
      '/api/v1/mailboxes/:name/messages',
      {
        bodyLimit: audioBodyLimit,
        onRequest: async (req, reply) => {
          if (!checkUpload(req, reply)) return reply;
          const q = depositQuery.safeParse(req.query);
          if (!q.success) return badRequest(reply, q.error);
          const urgent = q.data.urgent === 'true' || q.data.urgent === '1';
          deposits.set(req, { from: q.data.from || null, urgent });
          return undefined;
        },
      },
      async (req, reply) => {
        const wav = wavBody(req, reply);
        if (!wav) return reply;
        try {
          const m = toApiMessage(await api.deposit(req.params.name, wav, deposits.get(req)!));
          return reply
            .code(201)
            .header('Location', `/api/v1/messages/${encodeURIComponent(m.id)}`)
            .send(m);
        } catch (e) {
          return refused(reply, e);
        }
      },
    );

    scope.put<{ Params: { name: string; kind: string } }>(
      '/api/v1/mailboxes/:name/greetings/:kind',
      {
        bodyLimit: audioBodyLimit,
        onRequest: async (req, reply) => {
          if (!GREETING_KINDS.includes(req.params.kind as ApiGreetingKind)) {
            return reply
              .code(404)
              .send(jsonError('not_found', `no greeting ${req.params.kind}: use ${GREETING_KINDS.join(', ')}`));
          }
          return checkUpload(req, reply) ? undefined : reply;
        },
      },
      async (req, reply) => {
        const wav = wavBody(req, reply);
        if (!wav) return reply;
        try {
          await api.putGreeting(req.params.name, req.params.kind as ApiGreetingKind, wav);
          return reply.code(204).send();
        } catch (e) {
          return refused(reply, e);
        }
      },
    );

    scope.put<{ Params: { name: string } }>('/api/v1/mailboxes/:name/pin', { bodyLimit: 1024 }, async (req, reply) => {
      if (!mailboxOf(req, reply)) return reply;
      const body = pinBody.safeParse(req.body);
      if (!body.success) {
        return reply.code(400).send(jsonError('bad_request', body.error.issues[0]?.message ?? 'send {"pin":"1234"}'));
      }
      await api.setPin(req.params.name, body.data.pin);
      return reply.code(204).send();
    });

    scope.get<{ Params: { id: string } }>('/api/v1/messages/:id', async (req, reply) => {
      const m = await messageOf(req, reply);
      return m ? reply.send(toApiMessage(m)) : reply;
    });

    scope.route<{ Params: { id: string } }>({
      method: ['GET', 'HEAD'],
      url: '/api/v1/messages/:id/audio',
      handler: async (req, reply) => {
        const m = await messageOf(req, reply);
        if (!m) return reply;
        const path = await api.audioPath(m.id);
        if (path !== undefined && (await sendWavFile(req, reply, path, `${m.id}.wav`))) return reply;
        return reply.code(404).send(jsonError('not_found', `message ${m.id} has no audio`));
      },
    });

    scope.patch<{ Params: { id: string } }>('/api/v1/messages/:id', { bodyLimit: 1024 }, async (req, reply) => {
      const m = await messageOf(req, reply);
      if (!m) return reply;
      const body = patchBody.safeParse(req.body);
      if (!body.success) return badRequest(reply, body.error);
      const changed = await api.setRead(m.id, body.data.read);
      if (!changed) return reply.code(404).send(jsonError('not_found', `no message ${m.id}`));
      return reply.send(toApiMessage(changed));
    });

    scope.delete<{ Params: { id: string } }>('/api/v1/messages/:id', async (req, reply) => {
      const m = await messageOf(req, reply);
      if (!m) return reply;
      if (!(await api.remove(m.id))) return reply.code(404).send(jsonError('not_found', `no message ${m.id}`));
      return reply.code(204).send();
    });
  });
}
