/**
 * The UAS INVITE session on the dialog table: 2xx retransmitted until the
 * ACK (RFC 3261 13.3.1.4), BYE after 64*T1 without one, CANCEL before the
 * answer (9.2), BYE either way (15.1), re-INVITE (14.2), OPTIONS and INFO in
 * the dialog, CSeq order (12.2.2), delayed offer (answer in the ACK).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserAgentCore } from '../../../../src/sip/core.js';
import { DialogTable } from '../../../../src/sip/dialog/index.js';
import { parseMessage, SipRequest, SipResponse } from '../../../../src/sip/message/index.js';
import {
  InviteServerSession,
  sessionHostOf,
  type InviteSessionDelegate,
  type SessionEnd,
} from '../../../../src/sip/session/invite-server-session.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { TransportLayer } from '../../../../src/sip/transport/index.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

interface Head {
  branch?: string;
  cseq?: number;
  toTag?: string;
  body?: string;
}

function harness(o: { answer?: boolean; answerDelayMs?: number } = {}) {
  const sent: SipRequest[] = [];
  const responses: SipResponse[] = [];
  const transports = new TransportLayer();
  transports.send = async (_dest, data): Promise<void> => {
    const m = parseMessage(Buffer.from(data));
    if (m instanceof SipResponse) responses.push(m);
    else sent.push(m);
  };
  const clock = new FakeClock(1_700_000_000_000);
  const core = new UserAgentCore({ transports, clock, product: 'test/1', dialogs: new DialogTable() });
  const host = sessionHostOf(core);
  const events: string[] = [];
  const ended: SessionEnd[] = [];
  let session: InviteServerSession | undefined;
  let reinviteAnswer: { sdp: string } | { status: number; reason: string } = { sdp: SDP };
  const delegate: InviteSessionDelegate = {
    onAck: (sdp, initial) => events.push(`ack:${initial ? 'initial' : 're'}:${sdp ? 'sdp' : 'none'}`),
    onReinvite: (offer) => {
      events.push(`reinvite:${offer ? 'offer' : 'none'}`);
      return reinviteAnswer;
    },
    onInfo: () => 200,
    onEnded: (why) => ended.push(why),
  };
  core.onRequest('INVITE', async (req, ctx) => {
    const s = InviteServerSession.create(host, req, ctx);
    ctx.onCancel(() => events.push('cancelled'));
    if (o.answerDelayMs) await new Promise<void>((r) => clock.setTimeout(r, o.answerDelayMs ?? 0));
    if (o.answer === false) return undefined;
    if (s.answer(ctx, req, SDP, delegate)) session = s;
    else events.push('too-late');
    return undefined;
  });
  let n = 0;
  const receive = async (method: string, h: Head = {}): Promise<void> => {
    n++;
    const seq = h.cseq ?? n;
    const body = h.body ?? '';
    core.receive({
      data: Buffer.from(
        `${method} sip:voicemail@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=${h.branch ?? `z9hG4bKb${n}`}\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=ph\r\nTo: <sip:voicemail@example.com>${h.toTag === undefined ? '' : `;tag=${h.toTag}`}\r\n` +
          `Call-ID: call1\r\nCSeq: ${seq} ${method}\r\nContact: <sip:alice@192.0.2.9:5062>\r\n` +
          `Record-Route: <sip:proxy.example.com;lr>\r\n` +
          (body ? 'Content-Type: application/sdp\r\n' : '') +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
      source: { protocol: 'udp', address: '192.0.2.9', port: 5060 },
      local: { protocol: 'udp', address: '192.0.2.1', port: 5060 },
    });
    await turn();
  };
  const tag = (): string => session?.localTag ?? '';
  const okCount = (): number => responses.filter((r) => r.status === 200 && r.cseq.method === 'INVITE').length;
  return {
    clock,
    core,
    sent,
    responses,
    events,
    ended,
    receive,
    tag,
    okCount,
    session: () => session,
    host,
    setReinvite: (a: typeof reinviteAnswer) => (reinviteAnswer = a),
  };
}

describe('InviteServerSession', () => {
  test('the 2xx is retransmitted at T1, 2T1, 4T1 up to T2 until the ACK, which stops it (13.3.1.4)', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    assert.equal(h.okCount(), 1);
    const ok = h.responses.find((r) => r.status === 200);
    assert.ok(ok?.getHeader('Contact')?.includes('192.0.2.1:5060'));
    assert.equal(ok?.getHeader('Record-Route'), '<sip:proxy.example.com;lr>');
    assert.equal(ok?.getHeader('Content-Type'), 'application/sdp');
    h.clock.advance(500);
    assert.equal(h.okCount(), 2);
    h.clock.advance(1000);
    assert.equal(h.okCount(), 3);
    h.clock.advance(2000);
    assert.equal(h.okCount(), 4);
    await h.receive('ACK', { cseq: 1, toTag: h.tag() });
    h.clock.advance(20_000);
    assert.equal(h.okCount(), 4);
    assert.deepEqual(h.events, ['ack:initial:none']);
    assert.deepEqual(h.ended, []);
  });

  test('no ACK within 64*T1: BYE goes to the remote target through the route set, the session ends', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    h.clock.advance(31_000);
    assert.deepEqual(h.ended, []);
    h.clock.advance(1_100);
    assert.deepEqual(h.ended, ['no-ack']);
    const bye = h.sent.find((r) => r.method === 'BYE');
    assert.ok(bye, 'a BYE was sent');
    assert.equal(bye.uri.toString(), 'sip:alice@192.0.2.9:5062');
    assert.equal(bye.getHeader('Route'), '<sip:proxy.example.com;lr>');
    assert.equal(bye.to.params.get('tag'), 'ph');
    assert.equal(bye.from.params.get('tag'), h.tag());
    assert.equal(h.core.dialogs?.size, 0);
  });

  test('BYE from the peer: 200, the session ends once, later requests get 481', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    await h.receive('ACK', { cseq: 1, toTag: h.tag() });
    await h.receive('BYE', { cseq: 2, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 200);
    assert.deepEqual(h.ended, ['bye']);
    await h.receive('BYE', { cseq: 3, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 481);
    assert.equal(h.sent.filter((r) => r.method === 'BYE').length, 0, 'no BYE of ours after theirs');
  });

  test('hangUp sends one BYE with a higher CSeq of our own; a second hangUp does nothing', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 7, body: SDP });
    await h.receive('ACK', { cseq: 7, toTag: h.tag() });
    h.session()?.hangUp();
    h.session()?.hangUp();
    const byes = h.sent.filter((r) => r.method === 'BYE');
    assert.equal(byes.length, 1);
    assert.equal(byes[0]?.cseq.seq, 1);
    assert.deepEqual(h.ended, ['hangup']);
  });

  test('CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, the handler hears it, no dialog', async () => {
    const h = harness({ answerDelayMs: 1000 });
    await h.receive('INVITE', { cseq: 1, body: SDP, branch: 'z9hG4bKinv' });
    await h.receive('CANCEL', { cseq: 1, branch: 'z9hG4bKinv' });
    const statuses = h.responses.map((r) => `${r.status} ${r.cseq.method}`);
    assert.ok(statuses.includes('200 CANCEL'), statuses.join());
    assert.ok(statuses.includes('487 INVITE'), statuses.join());
    h.clock.advance(1000);
    await turn();
    assert.deepEqual(h.events, ['cancelled', 'too-late']);
    assert.equal(h.core.dialogs?.size, 0);
    assert.equal(h.okCount(), 0);
  });

  test('re-INVITE (hold): the offer goes to the owner, 200 with its answer, retransmitted until its ACK', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    await h.receive('ACK', { cseq: 1, toTag: h.tag() });
    await h.receive('INVITE', { cseq: 2, toTag: h.tag(), body: SDP.replace('c=IN IP4 192.0.2.9', 'c=IN IP4 0.0.0.0') });
    assert.equal(h.okCount(), 2);
    h.clock.advance(500);
    assert.equal(h.okCount(), 3);
    await h.receive('ACK', { cseq: 2, toTag: h.tag() });
    h.clock.advance(5000);
    assert.equal(h.okCount(), 3);
    assert.deepEqual(h.events, ['ack:initial:none', 'reinvite:offer', 'ack:re:none']);
  });

  test('a refused re-INVITE offer gets its status; the session goes on', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    await h.receive('ACK', { cseq: 1, toTag: h.tag() });
    h.setReinvite({ status: 488, reason: 'Not Acceptable Here (no common codec)' });
    await h.receive('INVITE', { cseq: 2, toTag: h.tag(), body: SDP });
    assert.equal(h.responses.at(-1)?.status, 488);
    assert.deepEqual(h.ended, []);
  });

  test('a re-INVITE before the ACK of the first 2xx: 500 with Retry-After (14.2)', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1, body: SDP });
    await h.receive('INVITE', { cseq: 2, toTag: h.tag(), body: SDP });
    const last = h.responses.at(-1);
    assert.equal(last?.status, 500);
    assert.ok(last?.getHeader('Retry-After'));
  });

  test('delayed offer: the ACK carries the answer', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 1 });
    await h.receive('ACK', { cseq: 1, toTag: h.tag(), body: SDP });
    assert.deepEqual(h.events, ['ack:initial:sdp']);
  });

  test('OPTIONS and INFO in the dialog get 200; an unknown method 405 with Allow; an old CSeq 500', async () => {
    const h = harness();
    await h.receive('INVITE', { cseq: 5, body: SDP });
    await h.receive('ACK', { cseq: 5, toTag: h.tag() });
    await h.receive('OPTIONS', { cseq: 6, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 200);
    assert.match(h.responses.at(-1)?.getHeader('Allow') ?? '', /BYE/);
    await h.receive('INFO', { cseq: 7, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 200);
    await h.receive('UPDATE', { cseq: 8, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 405);
    await h.receive('INFO', { cseq: 3, toTag: h.tag() });
    assert.equal(h.responses.at(-1)?.status, 500);
    assert.deepEqual(h.ended, []);
  });
});
