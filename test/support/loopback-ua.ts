import {
  LoopbackNetwork,
  LoopbackTransport,
  type Endpoint,
  type TransportProtocol,
} from '../../src/sip/transport/index.js';
import {
  createResponse,
  parseMessage,
  serializeMessage,
  SipRequest,
  SipResponse,
} from '../../src/sip/message/index.js';

/** One turn of the event loop: every queued loopback delivery (microtasks) has run by then. */
const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A scripted user agent on a loopback network, for scenario tests: it sends
 * raw SIP text and waits for what comes back. It is deliberately dumb (no
 * transactions), so that the server under test does all the SIP work.
 */
export class LoopbackUa {
  readonly transport: LoopbackTransport;
  private readonly inbox: Buffer[] = [];
  private waiter: (() => void) | undefined;

  constructor(network: LoopbackNetwork, protocol: TransportProtocol = 'udp', address = '127.0.0.1') {
    this.transport = new LoopbackTransport(network, { protocol, address });
    this.transport.delegate = {
      onData: (d) => {
        this.inbox.push(d.data);
        this.waiter?.();
      },
    };
  }

  get local(): Endpoint {
    return this.transport.local;
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  /**
   * Send text with `\n` line ends (turned into CRLF) to the server. The head
   * ends at the first blank line; the body after it is sent as written.
   */
  async send(to: Endpoint, text: string): Promise<void> {
    const cut = text.indexOf('\n\n');
    const head = cut < 0 ? text : text.slice(0, cut);
    const body = cut < 0 ? '' : text.slice(cut + 2);
    const wire =
      head
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .join('\r\n') +
      '\r\n\r\n' +
      body;
    await this.transport.send(to, Buffer.from(wire));
  }

  /** The next message received, parsed. */
  async next(ticks = 1000): Promise<SipRequest | SipResponse> {
    return parseMessage(await this.nextRaw(ticks));
  }

  /** The next message received, as bytes (waits up to `ticks` scheduler turns). */
  async nextRaw(ticks = 1000): Promise<Buffer> {
    for (let i = 0; i < ticks && this.inbox.length === 0; i++) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setImmediate(resolve);
      });
    }
    const m = this.inbox.shift();
    if (!m) throw new Error('no message arrived');
    return m;
  }

  async nextResponse(): Promise<SipResponse> {
    const m = await this.next();
    if (!(m instanceof SipResponse)) throw new Error(`expected a response, got ${m.method}`);
    return m;
  }

  /** The next message, which must be a request (of `method`, when given). */
  async nextRequest(method?: string): Promise<SipRequest> {
    const m = await this.next();
    if (!(m instanceof SipRequest)) throw new Error(`expected a request, got ${m.status} ${m.reason}`);
    if (method !== undefined && m.method !== method) throw new Error(`expected ${method}, got ${m.method}`);
    return m;
  }

  /** Answer a request we received (to where it came from: the server's listener), optionally with extra headers. */
  async respond(
    req: SipRequest,
    to: Endpoint,
    status = 200,
    reason = 'OK',
    headers: readonly [string, string][] = [],
  ): Promise<void> {
    const res = createResponse(req, status, reason);
    for (const [name, value] of headers) res.addHeader(name, value);
    await this.transport.send(to, serializeMessage(res));
  }

  /** Let queued deliveries land: run `turns` event-loop turns (no clock time passes). */
  async settle(turns = 20): Promise<void> {
    for (let i = 0; i < turns; i++) await turn();
  }

  /** Everything received and not yet read, parsed, oldest first (after letting deliveries land). */
  async drain(turns = 20): Promise<(SipRequest | SipResponse)[]> {
    await this.settle(turns);
    return this.inbox.splice(0).map((b) => parseMessage(b));
  }

  /** Throws when anything arrived (after letting deliveries land): "nothing is sent" assertions. */
  async expectSilence(what = 'nothing', turns = 20): Promise<void> {
    await this.settle(turns);
    if (this.inbox.length === 0) return;
    const first = this.inbox[0]!.toString('latin1').split('\r\n')[0];
    throw new Error(`expected ${what}, but ${this.inbox.length} message(s) arrived, first: ${first}`);
  }

  /** Messages not yet read. */
  get pending(): number {
    return this.inbox.length;
  }
}
