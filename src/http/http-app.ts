import Fastify, { type FastifyInstance } from 'fastify';

/** What the HTTP side needs from the rest of the server (a delegate; http/ never imports sip/). */
export interface HttpAppDeps {
  /** Liveness facts shown by /healthz. */
  health(): { registrations: number };
  version: string;
}

/** A coded JSON error (CONTRACT.md: `{"error":{"code":"...","message":"..."}}`). */
export function jsonError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * The fastify application: /healthz now; the REST API, EWS and the web inbox
 * mount here as they arrive. Every error, including fastify's own (bad JSON,
 * unknown route), leaves as the JSON error shape.
 */
export function buildHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(jsonError('not_found', `no route ${req.method} ${req.url}`));
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    void reply.code(status).send(jsonError(err.code ?? (status >= 500 ? 'internal' : 'bad_request'),
      status >= 500 ? 'internal error' : err.message));
  });
  app.get('/healthz', async () => ({ status: 'ok', version: deps.version, ...deps.health() }));
  return app;
}
