/**
 * A UDP relay between one SIP client and openum that registers the client
 * for it: the client's unauthenticated REGISTER is answered 200 by the relay
 * at once (built from the request, RFC 3261 section 8.2.6) and passed on to
 * openum, whose 401 the relay answers with the user's password (RFC 3261
 * section 22.2, digest-answer.ts: MD5 as openum offers by default, qop=auth). The binding lives in openum;
 * every other datagram passes through unchanged, both ways.
 *
 * Why: baresip 1.0.0's `mwi` module re-subscribes in an endless loop
 * (upstream baresip issue 2726) only when the registration succeeds before
 * its 1 ms start-up timer runs, i.e. when the first REGISTER gets a 200
 * straight away. Against a registrar that challenges (openum always does),
 * the loop never starts; this relay recreates the trigger while the binding
 * still lives in openum (registered with the user's real password).
 *
 * The relay also counts what passes (requests by method, responses by
 * method and status): a client stuck in that loop never reads its sockets,
 * so the relay is the only place that sees how the server answered.
 *
 * Run it as its own process (so that its work does not disturb latency
 * measured in the test process):
 *   node dist/test/support/register-relay.js --run LISTEN_HOST:PORT SERVER_HOST:PORT USER PASSWORD
 * It prints `relay ready HOST:PORT` and then one `relay stats {json}` line
 * every 250 ms and on SIGTERM. A line `pause PID` on its stdin arms
 * {@link RegisterAuthRelay.pauseOnRegister} (it answers `relay pausing PID`).
 * Importing this module has no side effect.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { digestAnswer } from './digest-answer.js';

export interface HostPort {
  address: string;
  port: number;
}

/** What the relay saw. */
export interface RelayStats {
  /** requests from the client, by method */
  fromClient: Record<string, number>;
  /** responses from the server, `METHOD STATUS` -> count */
  fromServer: Record<string, number>;
  /** requests from the server (NOTIFY ...), by method */
  serverRequests: Record<string, number>;
  /** REGISTERs the relay authenticated for the client */
  registersAuthenticated: number;
  /** REGISTERs the server finally refused (the client was told 200 all the same) */
  registerFailures: number;
}

interface PendingRegister {
  /** the client's request as received */
  original: string;
  authenticated: boolean;
}

/** The value of the first header `name` (case-insensitive, long form) in SIP text, or undefined. */
export function headerValue(text: string, name: string): string | undefined {
  const lower = name.toLowerCase();
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === lower) return line.slice(colon + 1).trim();
  }
  return undefined;
}

function isViaLine(line: string): boolean {
  const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
  return name === 'via' || name === 'v';
}

function isCseqLine(line: string): boolean {
  return line.slice(0, line.indexOf(':')).trim().toLowerCase() === 'cseq';
}

/**
 * A 200 OK for a REGISTER, made locally (RFC 3261 section 8.2.6: Via, From,
 * To with a tag, Call-ID, CSeq copied; the Contact echoed as the binding).
 */
export function localOk(request: string): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  const keep = (l: string): boolean => /^(via|v|from|f|call-id|i|cseq)\s*:/i.test(l);
  const out = ['SIP/2.0 200 OK', ...head.filter(keep)];
  const to = head.find((l) => /^(to|t)\s*:/i.test(l));
  if (to) out.push(/;\s*tag=/i.test(to) ? to : `${to};tag=${randomBytes(6).toString('hex')}`);
  const contact = head.find((l) => /^(contact|m)\s*:/i.test(l));
  const expires = headerValue(request, 'Expires');
  if (contact)
    out.push(expires !== undefined && !/expires=/i.test(contact) ? `${contact};expires=${expires}` : contact);
  out.push('Content-Length: 0', '', '');
  return out.join('\r\n');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** The relay itself (usable in-process too, e.g. by a unit test). */
export class RegisterAuthRelay {
  readonly stats: RelayStats = {
    fromClient: {},
    fromServer: {},
    serverRequests: {},
    registersAuthenticated: 0,
    registerFailures: 0,
  };
  private readonly socket: Socket = createSocket('udp4');
  private client: HostPort | undefined;
  private readonly pending = new Map<string, PendingRegister>();
  private pausePid: number | undefined;

  constructor(private readonly o: { listen: HostPort; server: HostPort; user: string; password: string }) {}

  /** Bind the listening socket; resolves with the bound address. */
  start(): Promise<HostPort> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
      this.socket.bind(this.o.listen.port, this.o.listen.address, () => {
        this.socket.off('error', reject);
        this.socket.on('error', () => undefined);
        const a = this.socket.address();
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  /**
   * Freeze process `pid` (SIGSTOP) the moment its next unauthenticated
   * REGISTER arrives, answer it, and let it run again (SIGCONT) after
   * `resumeMs`: the 200 is then waiting in its socket when its event loop
   * first polls, whatever the scheduling (see the file comment).
   */
  pauseOnRegister(pid: number, resumeMs = 30): void {
    this.pausePid = pid;
    this.resumeMs = resumeMs;
  }

  private resumeMs = 30;

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private fromServer(r: RemoteInfo): boolean {
    return r.address === this.o.server.address && r.port === this.o.server.port;
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    const text = msg.toString('latin1');
    const firstLine = text.slice(0, text.indexOf('\r\n'));
    if (this.fromServer(rinfo)) {
      this.onServerMessage(msg, text, firstLine);
      return;
    }
    if (firstLine.trim() === '') return; // keep-alive
    const method = firstLine.split(' ')[0] ?? '?';
    if (method === 'REGISTER') {
      const pid = this.pausePid;
      this.pausePid = undefined;
      if (pid !== undefined) signal(pid, 'SIGSTOP');
      this.client = { address: rinfo.address, port: rinfo.port };
      if (this.rememberRegister(text)) this.send(Buffer.from(localOk(text), 'latin1'), this.client);
      if (pid !== undefined) setTimeout(() => signal(pid, 'SIGCONT'), this.resumeMs);
    }
    if (!firstLine.startsWith('SIP/2.0')) bump(this.stats.fromClient, method);
    this.send(msg, this.o.server);
  }

  /** Run the hot paths once on a sample, so that the first real REGISTER is answered without compiling anything. */
  warmUp(): void {
    const sample = [
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKwarm;rport',
      'From: <sip:u@example.com>;tag=1',
      'To: <sip:u@example.com>',
      'Call-ID: warm',
      'CSeq: 1 REGISTER',
      'Contact: <sip:u@192.0.2.1:5060>',
      'Expires: 60',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    for (let i = 0; i < 200; i++) {
      localOk(sample);
      headerValue(sample, 'Authorization');
      digestAnswer('Digest realm="x", nonce="y", qop="auth"', {
        method: 'REGISTER',
        uri: 'sip:x',
        user: 'u',
        password: 'p',
      });
    }
  }

  /** Track an unauthenticated REGISTER of the client; true when the relay answers it. */
  private rememberRegister(text: string): boolean {
    const callId = headerValue(text, 'Call-ID') ?? headerValue(text, 'i');
    if (!callId || headerValue(text, 'Authorization')) return false;
    this.pending.set(callId, {
      original: text,
      authenticated: false,
    });
    return true;
  }

  private onServerMessage(msg: Buffer, text: string, firstLine: string): void {
    if (!firstLine.startsWith('SIP/2.0')) {
      bump(this.stats.serverRequests, firstLine.split(' ')[0] ?? '?');
      if (this.client) this.send(msg, this.client);
      return;
    }
    const status = Number(firstLine.split(' ')[1]);
    const cseq = headerValue(text, 'CSeq') ?? '';
    const method = cseq.split(/\s+/)[1] ?? '?';
    bump(this.stats.fromServer, `${method} ${status}`);
    const callId = headerValue(text, 'Call-ID') ?? headerValue(text, 'i') ?? '';
    const p = method === 'REGISTER' ? this.pending.get(callId) : undefined;
    if (!p) {
      if (this.client) this.send(msg, this.client);
      return;
    }
    if (status < 200) return;
    if (status === 401 && !p.authenticated) {
      const challenge = headerValue(text, 'WWW-Authenticate');
      if (challenge) {
        p.authenticated = true;
        this.send(Buffer.from(this.authenticated(p, challenge), 'latin1'), this.o.server);
        this.stats.registersAuthenticated++;
        return;
      }
    }
    // The client got its 200 from the relay already; the server's final answer only counts.
    this.pending.delete(callId);
    if (status >= 300) this.stats.registerFailures++;
  }

  /** The client's REGISTER again: new branch, CSeq + 1, with Authorization (RFC 3261 section 22.2). */
  private authenticated(p: PendingRegister, challenge: string): string {
    const end = p.original.indexOf('\r\n\r\n');
    const lines = p.original.slice(0, end).split('\r\n');
    const body = p.original.slice(end);
    const uri = (lines[0] ?? '').split(' ')[1] ?? '';
    const out: string[] = [];
    let viaDone = false;
    for (const line of lines) {
      if (isViaLine(line) && !viaDone) {
        viaDone = true;
        out.push(line.replace(/branch=[^;,\s]+/i, `branch=z9hG4bK${randomBytes(8).toString('hex')}`));
      } else if (isCseqLine(line)) {
        const [n = '0', m = 'REGISTER'] = line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(/\s+/);
        out.push(`CSeq: ${Number(n) + 1} ${m}`);
        out.push(
          `Authorization: ${digestAnswer(challenge, { method: 'REGISTER', uri, user: this.o.user, password: this.o.password })}`,
        );
      } else {
        out.push(line);
      }
    }
    return out.join('\r\n') + body;
  }

  private send(data: Buffer, to: HostPort): void {
    this.socket.send(data, to.port, to.address, () => undefined);
  }
}

function parseHostPort(s: string): HostPort {
  const i = s.lastIndexOf(':');
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** `--run LISTEN SERVER USER PASSWORD`: run as a process until SIGTERM. */
async function main(argv: string[]): Promise<void> {
  const [listen = '', server = '', user = '', password = ''] = argv;
  const relay = new RegisterAuthRelay({ listen: parseHostPort(listen), server: parseHostPort(server), user, password });
  const bound = await relay.start();
  relay.warmUp();
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    let nl: number;
    while ((nl = input.indexOf('\n')) >= 0) {
      const m = /^pause (\d+)$/.exec(input.slice(0, nl).trim());
      input = input.slice(nl + 1);
      if (m) {
        relay.pauseOnRegister(Number(m[1]));
        process.stdout.write(`relay pausing ${m[1]}\n`);
      }
    }
  });
  process.stdin.on('error', () => undefined);
  const print = (): void => {
    process.stdout.write(`relay stats ${JSON.stringify(relay.stats)}\n`);
  };
  process.stdout.write(`relay ready ${bound.address}:${bound.port}\n`);
  const timer = setInterval(print, 250);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    print();
    void relay.stop().then(() => process.exit(0));
  });
}

if (process.argv[2] === '--run' && process.argv[1] === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(3));
}
