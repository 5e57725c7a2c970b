import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticateApi, mayRead, mayWrite, type ApiCaller, type ApiCredentials } from './api-auth.js';
import { jsonError } from './json-error.js';

/** Counts as the API shows them (CONTRACT.md). */
export interface ApiMwiState {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
  messagesWaiting: boolean;
  version: number;
}

/** What the MWI routes need (the app implements it over the MWI service). */
export interface MwiApi {
  /** The mailbox of a user name, with its MWI setting; undefined when no such user. */
  mailbox(name: string): { mwiEnabled: boolean } | undefined;
  get(mailbox: string): ApiMwiState;
  /** Replace the caller's source's counts (null clears them); resolves once the change is durable. */
  set(
    mailbox: string,
    source: string,
    counts: { new: number; old: number; urgentNew: number; urgentOld: number } | null,
  ): Promise<ApiMwiState>;
}

const U32 = z.number().int().min(0).max(0xffffffff);
const putBody = z
  .object({ new: U32, old: U32, urgentNew: U32.optional(), urgentOld: U32.optional() })
  .strict()
  .refine(
    (b) => (b.urgentNew ?? 0) <= b.new && (b.urgentOld ?? 0) <= b.old,
    'urgent counts are part of new/old and cannot exceed them',
  );

function caller(req: FastifyRequest, reply: FastifyReply, creds: ApiCredentials): ApiCaller | undefined {
  const c = authenticateApi(req.headers.authorization, creds);
  if (!c) {
    void reply
      .code(401)
      .header('WWW-Authenticate', 'Bearer realm="openum", Basic realm="openum"')
      .send(jsonError('unauthorized', 'a bearer token or Basic credentials are required'));
  }
  return c;
}

/**
 * GET and PUT `/api/v1/mailboxes/NAME/mwi` (CONTRACT.md). A PUT sets the
 * counts of the caller's own source (`token:ID`): each token is one source
 * of the aggregate, like a trusted SIP peer; `{"new":0,"old":0}` clears it.
 */
export function registerMwiRoutes(app: FastifyInstance, mwi: MwiApi, creds: ApiCredentials): void {
  app.get<{ Params: { name: string } }>('/api/v1/mailboxes/:name/mwi', async (req, reply) => {
    const c = caller(req, reply, creds);
    if (!c) return reply;
    const name = req.params.name;
    if (!mayRead(c, name))
      return reply.code(403).send(jsonError('forbidden', `not allowed to read the mailbox ${name}`));
    if (!mwi.mailbox(name)) return reply.code(404).send(jsonError('not_found', `no mailbox ${name}`));
    return reply.send(mwi.get(name));
  });

  app.put<{ Params: { name: string } }>('/api/v1/mailboxes/:name/mwi', async (req, reply) => {
    const c = caller(req, reply, creds);
    if (!c) return reply;
    const name = req.params.name;
    if (!mayWrite(c, name) || c.kind !== 'token') {
      return reply.code(403).send(jsonError('forbidden', `a token with scope mwi:write for ${name} is required`));
    }
    const mailbox = mwi.mailbox(name);
    if (!mailbox) return reply.code(404).send(jsonError('not_found', `no mailbox ${name}`));
    if (!mailbox.mwiEnabled)
      return reply.code(403).send(jsonError('mwi_disabled', `message waiting indication is off for ${name}`));
    const parsed = putBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply
        .code(400)
        .send(jsonError('bad_request', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body'));
    }
    const b = parsed.data;
    const counts = { new: b.new, old: b.old, urgentNew: b.urgentNew ?? 0, urgentOld: b.urgentOld ?? 0 };
    const zero = counts.new + counts.old === 0;
    return reply.send(await mwi.set(name, `token:${c.id}`, zero ? null : counts));
  });
}
