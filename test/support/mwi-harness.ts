/**
 * Shared set-up of the MWI scenario tests (test/scenario/mwi-*.test.ts): an
 * openum SIP service on a loopback network with a FakeClock and SQLite
 * storage, users, and scripted phones that speak digest, REGISTER,
 * SUBSCRIBE (RFC 6665) and answer NOTIFYs; plus the raw texts of the
 * trusted MWI inputs (PROTOCOLS.md section 3, RFC 3903 PUBLISH).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSipService, type SipService } from '../../src/app/sip-service.js';
import { addUser } from '../../src/app/user-commands.js';
import { parseMessageSummary } from '../../src/events/packages/message-summary/message-summary-body.js';
import { SipRequest, SipResponse } from '../../src/sip/message/index.js';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork, LoopbackTransport, TransportLayer, type Endpoint } from '../../src/sip/transport/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { digestAnswer } from './digest-answer.js';
import { LoopbackUa } from './loopback-ua.js';

export const DOMAIN = 'example.com';
export const T0 = 1_700_000_000_000;
export const SERVER_ADDRESS = '10.0.0.1';
/** Exchange UM (trusted, NOTIFY) and a PUBLISH peer (trusted, another address); a stranger. */
export const UM_ADDRESS = '10.0.0.9';
export const PUBLISHER_ADDRESS = '10.0.0.8';
export const STRANGER_ADDRESS = '10.0.0.66';
export const TRUST = ['10.0.0.9/32', '10.0.0.8'];

export const PASSWORDS: Readonly<Record<string, string>> = { alice: 'secret', bob: 'hunter22', carol: 'carol-pw' };

let seq = 0;
/** A fresh token for branches, tags and Call-IDs. */
export const fresh = (prefix: string): string =>
  `${prefix}${(++seq).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export interface Harness {
  clock: FakeClock;
  net: LoopbackNetwork;
  storage: SqliteStorage;
  svc: SipService;
  server: Endpoint;
  /** A started scripted UA at `address` on this network (UDP unless told). */
  ua(address: string, protocol?: 'udp' | 'tcp'): Promise<LoopbackUa>;
  /** A phone of `user` at `address` (UDP unless told; TCP needs the harness's `tcp` listener). */
  phone(address: string, user?: string, protocol?: 'udp' | 'tcp'): Promise<Phone>;
  /** The TCP listener, when the harness has one. */
  serverTcp?: Endpoint;
  /** Stop the service, close the core, the listener and the storage (a clean shutdown). */
  shutdown(): Promise<void>;
}

export interface HarnessOptions {
  net?: LoopbackNetwork;
  clock?: FakeClock;
  /** SQLite file; default in memory. */
  file?: string;
  resendRatePerSecond?: number;
  /** Call `svc.start()` (default true). */
  start?: boolean;
  /** Also listen on TCP (same address and port). */
  tcp?: boolean;
  /** Delay of the state sent after a registration; 0 here unless told (the production default is 2 s). */
  registrationGraceMs?: number;
}

/**
 * Start the service. Users (added when missing): alice (extension 1001),
 * bob, and carol whose MWI is off.
 */
export async function startServer(o: HarnessOptions = {}): Promise<Harness> {
  const clock = o.clock ?? new FakeClock(T0);
  const net = o.net ?? new LoopbackNetwork();
  const udp = new LoopbackTransport(net, { protocol: 'udp', address: SERVER_ADDRESS, port: 5060 });
  await udp.start();
  const tcp = o.tcp ? new LoopbackTransport(net, { protocol: 'tcp', address: SERVER_ADDRESS, port: 5060 }) : undefined;
  await tcp?.start();
  const storage = new SqliteStorage(o.file ?? ':memory:');
  if (!storage.getUser('alice')) {
    addUser(storage, { name: 'alice', password: PASSWORDS.alice!, extension: '1001', domain: DOMAIN }, T0);
    addUser(storage, { name: 'bob', password: PASSWORDS.bob!, domain: DOMAIN }, T0);
    addUser(storage, { name: 'carol', password: PASSWORDS.carol!, domain: DOMAIN, mwi: 'off' }, T0);
  }
  const svc = createSipService({
    storage,
    domain: DOMAIN,
    digestSecret: Buffer.alloc(32, 3),
    authAlgorithms: ['MD5'],
    transports: new TransportLayer({ transports: tcp ? [udp, tcp] : [udp] }),
    clock,
    trust: TRUST,
    ...(o.resendRatePerSecond !== undefined && { resendRatePerSecond: o.resendRatePerSecond }),
    registrationGraceMs: o.registrationGraceMs ?? 0,
  });
  if (o.start !== false) svc.start();
  const server = udp.local;
  const uas: LoopbackUa[] = [];
  const h: Harness = {
    clock,
    net,
    storage,
    svc,
    server,
    ...(tcp && { serverTcp: tcp.local }),
    async ua(address, protocol = 'udp') {
      const ua = new LoopbackUa(net, protocol, address);
      await ua.start();
      uas.push(ua);
      return ua;
    },
    async phone(address, user = 'alice', protocol = 'udp') {
      return new Phone(await h.ua(address, protocol), protocol === 'tcp' && tcp ? tcp.local : server, user);
    },
    async shutdown() {
      svc.stop();
      svc.core.close();
      await udp.stop();
      await tcp?.stop();
      storage.close();
    },
  };
  return h;
}

/** A temp directory removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'openum-mwi-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Digest answers (RFC 3261 section 22.4, qop=auth) to the last challenge seen, the nonce-count counting up. */
class DigestClient {
  private challenge = '';
  private nc = 0;

  constructor(
    private readonly user: string,
    private readonly password: string,
  ) {}

  learn(res: SipResponse): void {
    const challenge = res.getHeader('WWW-Authenticate');
    assert.ok(challenge !== undefined, `${res.status} without WWW-Authenticate`);
    this.challenge = challenge;
    this.nc = 0;
  }

  /** An `Authorization:` line, or '' before any challenge. */
  line(method: string, uri: string): string {
    if (this.challenge === '') return '';
    return `Authorization: ${digestAnswer(this.challenge, { method, uri, user: this.user, password: this.password, nc: ++this.nc })}\n`;
  }
}

/** What to put in a SUBSCRIBE. `null` leaves a header out. */
export interface SubscribeSpec {
  /** Request-URI user (the mailbox); default the phone's own user. */
  target?: string;
  expires?: number | null;
  event?: string | null;
  accept?: string | null;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  extra?: string;
  /** A SUBSCRIBE body (e.g. a roamingList) and its type. */
  body?: string;
  contentType?: string;
}

/** The subscriber's side of a subscription dialog (RFC 6665 section 4.1). */
export class SubDialog {
  constructor(
    readonly phone: Phone,
    readonly target: string,
    readonly callId: string,
    readonly fromTag: string,
    readonly toTag: string,
    public cseq: number,
  ) {}

  /** An in-dialog SUBSCRIBE (To tag, CSeq + 1): a refresh, or with 0 an unsubscribe (RFC 6665 section 4.1.2.2-3). */
  async refresh(expires: number | null, extra = ''): Promise<SipResponse> {
    this.cseq++;
    await this.phone.ua.send(
      this.phone.server,
      this.phone.subscribeText({
        target: this.target,
        expires,
        callId: this.callId,
        fromTag: this.fromTag,
        toTag: this.toTag,
        cseq: this.cseq,
        extra,
      }),
    );
    return this.phone.ua.nextResponse();
  }
}

const branchOf = (req: SipRequest): string => req.vias[0]?.params.get('branch') ?? '';

/** A phone of one user: REGISTER and SUBSCRIBE with digest, answers NOTIFYs. */
export class Phone {
  private readonly digest: DigestClient;

  constructor(
    readonly ua: LoopbackUa,
    readonly server: Endpoint,
    readonly user: string,
  ) {
    this.digest = new DigestClient(user, PASSWORDS[user] ?? 'unknown');
  }

  /** The contact URI of this phone. */
  get uri(): string {
    const t = this.ua.local.protocol === 'udp' ? '' : `;transport=${this.ua.local.protocol}`;
    return `sip:${this.user}@${this.ua.local.address}:${this.ua.local.port}${t}`;
  }

  private via(): string {
    return `Via: SIP/2.0/${this.ua.local.protocol.toUpperCase()} ${this.ua.local.address}:${this.ua.local.port};branch=z9hG4bK-${fresh('b')};rport`;
  }

  subscribeText(s: SubscribeSpec & { auth?: string }): string {
    const target = s.target ?? this.user;
    const lines = [
      `SUBSCRIBE sip:${target}@${DOMAIN} SIP/2.0`,
      this.via(),
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${DOMAIN}>;tag=${s.fromTag ?? fresh('f')}`,
      `To: <sip:${target}@${DOMAIN}>${s.toTag ? `;tag=${s.toTag}` : ''}`,
      `Call-ID: ${s.callId ?? fresh('call-')}`,
      `CSeq: ${s.cseq ?? 1} SUBSCRIBE`,
      `Contact: <${this.uri}>`,
    ];
    const event = s.event === undefined ? 'message-summary' : s.event;
    if (event !== null) lines.push(`Event: ${event}`);
    const accept = s.accept === undefined ? 'application/simple-message-summary' : s.accept;
    if (accept !== null) lines.push(`Accept: ${accept}`);
    if (s.expires !== undefined && s.expires !== null) lines.push(`Expires: ${s.expires}`);
    if (s.body !== undefined) {
      return (
        `${lines.join('\n')}\n${s.extra ?? ''}${s.auth ?? ''}Content-Type: ${s.contentType ?? 'application/octet-stream'}\n` +
        `Content-Length: ${Buffer.byteLength(s.body)}\n\n${s.body}`
      );
    }
    return `${lines.join('\n')}\n${s.extra ?? ''}${s.auth ?? ''}Content-Length: 0\n\n`;
  }

  /**
   * Send a request built by `make(authorizationLine, cseqBump)`; on a 401,
   * learn the challenge and send it again with credentials and CSeq + 1.
   */
  async authed(method: string, uri: string, make: (auth: string, bump: number) => string): Promise<SipResponse> {
    await this.ua.send(this.server, make(this.digest.line(method, uri), 0));
    let res = await this.ua.nextResponse();
    if (res.status === 401) {
      this.digest.learn(res);
      await this.ua.send(this.server, make(this.digest.line(method, uri), 1));
      res = await this.ua.nextResponse();
    }
    return res;
  }

  /** A new SUBSCRIBE (out of dialog) with digest; the dialog when accepted. */
  async subscribe(s: SubscribeSpec = {}): Promise<{ res: SipResponse; dialog?: SubDialog }> {
    const target = s.target ?? this.user;
    const callId = s.callId ?? fresh('sub-');
    const fromTag = s.fromTag ?? fresh('f');
    const cseq0 = s.cseq ?? 1;
    let cseq = cseq0;
    const res = await this.authed('SUBSCRIBE', `sip:${target}@${DOMAIN}`, (auth, bump) => {
      cseq = cseq0 + bump;
      return this.subscribeText({ ...s, target, callId, fromTag, cseq, auth });
    });
    const toTag = res.to.params.get('tag');
    if (res.status !== 200 || !toTag) return { res };
    return { res, dialog: new SubDialog(this, target, callId, fromTag, toTag, cseq) };
  }

  private readonly registerSeq = new Map<string, number>();

  /**
   * REGISTER this phone's contact (RFC 3261 section 10.2) with digest. The
   * CSeq goes up by one per REGISTER of a Call-ID (section 10.2.4) unless given.
   */
  async register(o: { callId: string; cseq?: number; expires?: number; contact?: string }): Promise<SipResponse> {
    const base = o.cseq ?? (this.registerSeq.get(o.callId) ?? 0) + 1;
    return this.authed('REGISTER', `sip:${DOMAIN}`, (auth, bump) => {
      this.registerSeq.set(o.callId, base + bump);
      return this.registerText(o, base + bump, auth);
    });
  }

  private registerText(o: { callId: string; expires?: number; contact?: string }, cseq: number, auth: string): string {
    return (
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        this.via(),
        'Max-Forwards: 70',
        `From: <sip:${this.user}@${DOMAIN}>;tag=${fresh('r')}`,
        `To: <sip:${this.user}@${DOMAIN}>`,
        `Call-ID: ${o.callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: ${o.contact ?? `<${this.uri}>`}`,
        ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
      ].join('\n') + `\n${auth}Content-Length: 0\n\n`
    );
  }

  /**
   * The next NOTIFY that is not a retransmission. Like a UAS transaction
   * (RFC 3261 section 17.2.2), a retransmitted request is answered again
   * with the answer it had, and not handed up.
   */
  async nextNotify(): Promise<SipRequest> {
    for (;;) {
      const n = await this.ua.nextRequest('NOTIFY');
      if (!(await this.absorbed(n))) return n;
    }
  }

  answer(req: SipRequest, status = 200, reason = 'OK', headers: readonly [string, string][] = []): Promise<void> {
    this.answered.set(branchOf(req), { status, reason, headers });
    return this.ua.respond(req, this.server, status, reason, headers);
  }

  /** Assert that nothing but retransmissions of requests already answered arrived. */
  async expectSilence(what = 'nothing'): Promise<void> {
    for (const m of await this.ua.drain()) {
      const first =
        m instanceof SipResponse ? `${m.status} ${m.reason}` : `${m.method} ${m.getHeader('Subscription-State') ?? ''}`;
      assert.ok(m instanceof SipRequest && (await this.absorbed(m)), `expected ${what}, got ${first}`);
    }
  }

  private readonly answered = new Map<
    string,
    { status: number; reason: string; headers: readonly [string, string][] }
  >();

  private async absorbed(req: SipRequest): Promise<boolean> {
    const a = this.answered.get(branchOf(req));
    if (!a) return false;
    await this.ua.respond(req, this.server, a.status, a.reason, a.headers);
    return true;
  }

  /** Read the next NOTIFY, answer it 200, return it. */
  async takeNotify(): Promise<SipRequest> {
    const n = await this.nextNotify();
    await this.answer(n);
    return n;
  }
}

/** Voice-message counts of a message-summary NOTIFY (RFC 3842 section 5.2), and Messages-Waiting. */
export function lampOf(notify: SipRequest): {
  waiting: boolean;
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
} {
  assert.equal(notify.getHeader('Event'), 'message-summary');
  assert.match(notify.getHeader('Content-Type') ?? '', /^application\/simple-message-summary/i);
  const s = parseMessageSummary(notify.body);
  const v = s.classes.get('voice-message') ?? { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };
  return { waiting: s.messagesWaiting, ...v };
}

/** Assert an in-dialog NOTIFY of `dialog` (RFC 6665 section 4.2.2; RFC 3261 section 12.2.1.1). */
export function assertInDialog(notify: SipRequest, dialog: SubDialog): void {
  assert.equal(notify.method, 'NOTIFY');
  assert.equal(notify.callId, dialog.callId, 'same Call-ID as the SUBSCRIBE');
  assert.equal(notify.from.params.get('tag'), dialog.toTag, 'From tag = the To tag of our 200');
  assert.equal(notify.to.params.get('tag'), dialog.fromTag, "To tag = the subscriber's From tag");
  assert.equal(notify.uri.toString(), dialog.phone.uri, "Request-URI = the subscriber's Contact");
}

/** The raw text of an Exchange 2010 UM NOTIFY (PROTOCOLS.md section 3), plus the headers every request needs. */
export function exchangeNotifyText(
  from: Endpoint,
  o: { user?: string; body?: string; toTag?: string; contentType?: string; noContentLength?: boolean } = {},
): string {
  const user = o.user ?? 'alice';
  const body = o.body ?? `Messages-Waiting: yes\r\nMessage-Account: sip:${user}@${DOMAIN}\r\nVoice-Message: 8/3\r\n`;
  return `NOTIFY sip:${user}@${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP ${from.address}:${from.port};branch=z9hG4bK-${fresh('um')};rport
Max-Forwards: 70
From: <sip:${user}@${DOMAIN}>;epid=EDDFA7F3EE;tag=f03dc3ff8
To: <sip:${user}@${DOMAIN}>${o.toTag ? `;tag=${o.toTag}` : ''}
Call-ID: ${fresh('um-')}
CSeq: 1 NOTIFY
Event: message-summary
Subscription-State: terminated
User-Agent: RTCC/3.5.0.0 MSExchangeUM/14.01.0218.012
Content-Type: ${o.contentType ?? 'application/simple-message-summary'}
${o.noContentLength ? '' : `Content-Length: ${Buffer.byteLength(body)}\n`}
${body}`;
}

/** A message-summary body with voice counts. */
export const summaryBody = (nw: number, old: number, account = `sip:alice@${DOMAIN}`): string =>
  `Messages-Waiting: ${nw > 0 ? 'yes' : 'no'}\r\nMessage-Account: ${account}\r\nVoice-Message: ${nw}/${old}\r\n`;

/** The raw text of a PUBLISH of message-summary (RFC 3903 section 4; Kamailio presence_mwi style). */
export function publishText(
  from: Endpoint,
  o: { user?: string; body?: string; ifMatch?: string; expires?: number; cseq?: number; callId?: string } = {},
): string {
  const user = o.user ?? 'alice';
  const body = o.body ?? '';
  return (
    [
      `PUBLISH sip:${user}@${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.address}:${from.port};branch=z9hG4bK-${fresh('pub')};rport`,
      'Max-Forwards: 70',
      `From: <sip:voicemail@${DOMAIN}>;tag=${fresh('p')}`,
      `To: <sip:${user}@${DOMAIN}>`,
      `Call-ID: ${o.callId ?? fresh('pub-')}`,
      `CSeq: ${o.cseq ?? 1} PUBLISH`,
      'Event: message-summary',
      ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
      ...(o.ifMatch === undefined ? [] : [`SIP-If-Match: ${o.ifMatch}`]),
      ...(body === '' ? [] : ['Content-Type: application/simple-message-summary']),
      `Content-Length: ${Buffer.byteLength(body)}`,
    ].join('\n') + `\n\n${body}`
  );
}

/** Send raw text from `ua` to the server and return the response. */
export async function exchange(ua: LoopbackUa, server: Endpoint, text: string): Promise<SipResponse> {
  await ua.send(server, text);
  return ua.nextResponse();
}
