/**
 * A real HTTP server on 127.0.0.1, port 0, that records every request (its
 * headers and raw body) and answers as the test scripts it: a queue of
 * replies, then 200. For webhook tests; `close()` ends it and every
 * keep-alive connection.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One scripted answer; `hang` never answers (for timeouts). */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

export class HttpCapture {
  readonly requests: CapturedRequest[] = [];
  /** Connections the client has closed (or that ended). */
  closedSockets = 0;
  private readonly replies: ScriptedReply[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HttpCapture> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const cap = new HttpCapture(server, `http://127.0.0.1:${port}/hook`);
    server.on('connection', (socket) => socket.once('close', () => cap.closedSockets++));
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        cap.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        const reply = cap.replies.shift() ?? {};
        cap.wake();
        if (reply.hang) return;
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? '');
      });
    });
    return cap;
  }

  /** Answer the next requests with these, in order (then 200). */
  reply(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  /** Resolves once `n` requests in all have arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs = 5_000): Promise<CapturedRequest[]> {
    if (this.requests.length >= n) return Promise.resolve(this.requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.requests.length} of ${n} requests arrived`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.requests);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => this.requests.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.requests.length < w.n);
    for (const w of ready) w.resolve();
  }
}
