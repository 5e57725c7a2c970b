import { LoopbackNetwork, LoopbackTransport, type Endpoint, type TransportProtocol } from '../../src/sip/transport/index.js';
import { parseMessage, SipResponse, type SipRequest } from '../../src/sip/message/index.js';

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

  /** Send text with `\n` line ends (turned into CRLF) to the server. */
  async send(to: Endpoint, text: string): Promise<void> {
    const [head = '', body = ''] = text.split('\n\n');
    const wire = head.trim().split('\n').map((l) => l.trim()).join('\r\n') + '\r\n\r\n' + body;
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

  /** Messages not yet read. */
  get pending(): number {
    return this.inbox.length;
  }
}
