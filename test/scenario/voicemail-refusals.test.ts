/**
 * Calls openum's voicemail refuses, each with a clear SIP status and
 * nothing stored (a real `openum serve`, raw SIP over UDP on 127.0.0.1):
 * malformed SDP -> 400 with the reason, no common codec -> 488, an unknown
 * mailbox -> 404, an untrusted caller -> 401 challenge, a body that is not
 * SDP -> 415, more calls than --max-calls -> 503 with Retry-After; an
 * INVITE answered but never ACKed -> BYE after 64*T1. (CANCEL before the
 * answer -> 487 is in test/unit/sip/session: here the answer comes first.)
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { Arrivals } from '../support/arrivals.js';

const DOMAIN = 'localhost';
const GOOD_SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 101\r\n' +
  'a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n';

/** A UDP SIP client: send text, collect what comes back. */
class Client {
  private readonly arrivals = new Arrivals<string>();
  private constructor(
    readonly sock: Socket,
    readonly port: number,
  ) {
    sock.on('message', (m) => this.arrivals.push(m.toString('utf8')));
  }

  /** Every message received so far. */
  get got(): readonly string[] {
    return this.arrivals.items;
  }

  static async open(): Promise<Client> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    return new Client(sock, sock.address().port);
  }

  send(text: string, to: string): void {
    const [host = '', port = ''] = to.split(':');
    this.sock.send(Buffer.from(text), Number(port), host);
  }

  /** The first message matching `re` (already received or within `ms`). */
  wait(re: RegExp, ms = 5000): Promise<string | undefined> {
    return this.arrivals.first((m) => re.test(m), ms);
  }

  close(): void {
    this.sock.close();
  }
}

let n = 0;
function invite(
  c: Client,
  o: { ruri?: string; body?: string; type?: string; callId?: string; branch?: string },
): string {
  n++;
  const body = o.body ?? GOOD_SDP;
  return (
    `INVITE ${o.ruri ?? `sip:alice@${DOMAIN}`} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${c.port};branch=${o.branch ?? `z9hG4bKvm${n}`};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:2002@127.0.0.1>;tag=f${n}\r\nTo: <sip:alice@${DOMAIN}>\r\n` +
    `Call-ID: ${o.callId ?? `vm-refusal-${n}`}\r\nCSeq: 1 INVITE\r\nContact: <sip:2002@127.0.0.1:${c.port}>\r\n` +
    (body ? `Content-Type: ${o.type ?? 'application/sdp'}\r\n` : '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const status = (m: string | undefined): string => (m ?? '').split('\r\n')[0] ?? '';

describe('voicemail refusals (openum serve, raw SIP over UDP)', { timeout: 90_000 }, () => {
  let trusted: OpenumServer | undefined;
  let open: OpenumServer | undefined;
  let c: Client | undefined;
  before(async () => {
    const users = [{ name: 'alice', password: 'alice-secret', extraArgs: ['--extension', '1001'] }];
    [trusted, open] = await Promise.all([
      startOpenum({
        domain: DOMAIN,
        users,
        extraArgs: ['--trust', '127.0.0.1/32', '--max-calls', '1', '--rtp-ports', '32000-32099'],
      }),
      startOpenum({ domain: DOMAIN, users, extraArgs: ['--rtp-ports', '32100-32199'] }),
    ]);
    c = await Client.open();
  });
  after(async () => {
    c?.close();
    await Promise.all([trusted?.stop(), open?.stop()]);
  });

  async function call(server: OpenumServer | undefined, o: Parameters<typeof invite>[1]): Promise<string> {
    assert.ok(server && c);
    const callId = o.callId ?? `vm-r-${n + 1}`;
    c.send(invite(c, { ...o, callId }), server.address('udp'));
    const res = await c.wait(new RegExp(`^SIP/2\\.0 [2-6]\\d\\d [^\\r]*\\r\\n[\\s\\S]*Call-ID: ${callId}\\r\\n`));
    return status(res);
  }

  test('malformed SDP: 400 with the reason', async () => {
    assert.match(await call(trusted, { body: 'this is not sdp\r\n' }), /^SIP\/2\.0 400 Bad Request \(malformed SDP/);
  });

  test('no common codec: 488', async () => {
    const g729 = GOOD_SDP.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace(/a=rtpmap:0 PCMU\/8000\r\n/, '');
    assert.match(await call(trusted, { body: g729 }), /^SIP\/2\.0 488 /);
  });

  test('a body that is not SDP: 415', async () => {
    assert.match(await call(trusted, { body: '<xml/>', type: 'application/xml' }), /^SIP\/2\.0 415 /);
  });

  test('unknown mailbox: 404; the RFC 4458 target names it', async () => {
    assert.match(await call(trusted, { ruri: `sip:nobody@${DOMAIN}` }), /^SIP\/2\.0 404 /);
    assert.match(
      await call(trusted, { ruri: `sip:voicemail@${DOMAIN};target=sip:ghost%40${DOMAIN};cause=486` }),
      /^SIP\/2\.0 404 /,
    );
  });

  test('an untrusted caller is challenged (401 with WWW-Authenticate)', async () => {
    assert.match(await call(open, {}), /^SIP\/2\.0 401 /);
    assert.match(c?.got.at(-1) ?? '', /WWW-Authenticate: Digest realm="localhost"/);
  });

  test('an answered call never ACKed gets a BYE; meanwhile --max-calls 1 refuses a second with 503', async () => {
    assert.ok(trusted && c);
    // an answered call that is never ACKed: 200 now, BYE after 64*T1 (32 s)
    const callId = 'vm-noack';
    c.send(invite(c, { callId }), trusted.address('udp'));
    const ok = await c.wait(/^SIP\/2\.0 200 [^\r]*\r\n[\s\S]*Call-ID: vm-noack\r\n/);
    assert.ok(ok, 'answered');
    // --max-calls 1: a second call while the first lasts gets 503 with Retry-After
    assert.match(await call(trusted, {}), /^SIP\/2\.0 503 /, c.got.join('\n====\n'));
    assert.match(c.got.at(-1) ?? '', /Retry-After: \d+/);
    const bye = await c.wait(/^BYE [^\r]*\r\n[\s\S]*Call-ID: vm-noack\r\n/, 40_000);
    assert.ok(bye, 'BYE after 64*T1 without an ACK');
  });
});
