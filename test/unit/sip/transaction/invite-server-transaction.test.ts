import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipResponse } from '../../../../src/sip/message/index.js';
import {
  InviteServerState,
  InviteServerTransaction,
} from '../../../../src/sip/transaction/invite-server-transaction.js';
import type { TxDestination } from '../../../../src/sip/transaction/destination.js';
import { SRC_TCP, SRC_UDP, flush, req, res, setup } from './fixtures.js';

function start(source: TxDestination = SRC_UDP, invite = req()) {
  const env = setup();
  const tx = new InviteServerTransaction(invite, source, env.ctx);
  tx.start();
  return { ...env, tx, invite };
}

function statuses(sent: { msg: unknown }[]): number[] {
  return sent.map((s) => (s.msg instanceof SipResponse ? s.msg.status : -1));
}

describe('InviteServerTransaction (RFC 3261 17.2.1, RFC 6026)', () => {
  test('sends 100 Trying itself when the TU has not answered within 200 ms', () => {
    const { clock, wire, tx } = start();
    assert.equal(tx.state, InviteServerState.Proceeding);
    clock.advance(199);
    assert.equal(wire.sent.length, 0);
    clock.advance(1);
    assert.deepEqual(statuses(wire.sent), [100]);
    const trying = wire.sent[0]?.msg as SipResponse;
    assert.equal(trying.to.params.get('tag'), undefined, '100 Trying carries no To tag');
    assert.equal(trying.cseq.method, 'INVITE');
    assert.deepEqual(wire.sent[0]?.dest, { protocol: 'udp', address: '192.0.2.1', port: 5060, reliable: false });
    clock.advance(100_000);
    assert.equal(wire.sent.length, 1, 'once only');
  });

  test('no 100 Trying when the TU answers within 200 ms', () => {
    const { clock, wire, tx, invite } = start();
    clock.advance(150);
    assert.equal(tx.respond(res(invite, 180)), true);
    clock.advance(10_000);
    assert.deepEqual(statuses(wire.sent), [180]);
  });

  test('a retransmitted INVITE in Proceeding gets the latest provisional again, or 100 Trying at once', () => {
    const { clock, wire, tx, invite } = start();
    clock.advance(50);
    tx.receiveRetransmission(invite);
    assert.deepEqual(statuses(wire.sent), [100], 'no provisional yet: 100 at once');
    clock.advance(1000);
    assert.deepEqual(statuses(wire.sent), [100], 'the 200 ms timer was cancelled');
    tx.respond(res(invite, 180));
    tx.respond(res(invite, 183));
    tx.receiveRetransmission(invite);
    assert.deepEqual(statuses(wire.sent), [100, 180, 183, 183]);
    assert.equal(tx.lastProvisional?.status, 183);
  });

  test('300-699 on UDP: Timer G from T1 doubling to T2, Timer H = 64*T1 informs the TU', () => {
    const { clock, wire, tx, invite, ctx } = start();
    clock.advance(100);
    tx.respond(res(invite, 486));
    assert.equal(tx.state, InviteServerState.Completed);
    clock.advance(31_999);
    const at = wire.filter(486).map((s) => s.at - 100);
    assert.deepEqual(at, [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    assert.equal(ctx.timeouts.length, 0);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated);
    assert.deepEqual(ctx.timeouts, [tx], 'Timer H: no ACK');
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(clock.pending, 0);
    assert.equal(wire.filter(100).length, 0, 'no 100 after a final');
  });

  test('a retransmitted INVITE in Completed gets the final again; TU responses are refused', () => {
    const { wire, tx, invite } = start();
    tx.respond(res(invite, 404));
    tx.receiveRetransmission(invite);
    assert.deepEqual(statuses(wire.sent), [404, 404]);
    assert.equal(tx.respond(res(invite, 500)), false);
    assert.equal(tx.respond(res(invite, 200)), false);
    assert.deepEqual(statuses(wire.sent), [404, 404]);
  });

  test('ACK moves Completed to Confirmed: G stops, Timer I = T4, further ACKs absorbed', () => {
    const { clock, wire, tx, invite, ctx } = start();
    tx.respond(res(invite, 486));
    clock.advance(600); // one retransmission at 500
    assert.equal(tx.receiveAck(invite), 'absorbed');
    assert.equal(tx.state, InviteServerState.Confirmed);
    assert.equal(tx.receiveAck(invite), 'absorbed');
    tx.receiveRetransmission(invite);
    clock.advance(4999);
    assert.equal(wire.filter(486).length, 2, 'no G retransmission, nothing for INVITE in Confirmed');
    assert.equal(tx.state, InviteServerState.Confirmed);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated);
    assert.equal(ctx.timeouts.length, 0);
    assert.equal(clock.pending, 0);
  });

  test('TCP: no Timer G, Timer H still runs, Timer I is zero', () => {
    const a = start(SRC_TCP);
    a.tx.respond(res(a.invite, 486));
    a.clock.advance(31_999);
    assert.equal(a.wire.sent.length, 1);
    assert.deepEqual(a.wire.sent[0]?.dest, SRC_TCP, 'response goes back over the same flow');
    a.clock.advance(1);
    assert.deepEqual(a.ctx.timeouts, [a.tx]);

    const b = start(SRC_TCP);
    b.tx.respond(res(b.invite, 486));
    b.tx.receiveAck(b.invite);
    assert.equal(b.tx.state, InviteServerState.Terminated);
    assert.equal(b.clock.pending, 0);
  });

  test('2xx moves to Accepted (RFC 6026): INVITE absorbed, TU 2xx retransmissions sent, ACK to TU, Timer L', () => {
    const { clock, wire, tx, invite, ctx } = start();
    clock.advance(10);
    tx.respond(res(invite, 180, 'uas'));
    tx.respond(res(invite, 200, 'uas'));
    assert.equal(tx.state, InviteServerState.Accepted);
    tx.receiveRetransmission(invite);
    assert.deepEqual(statuses(wire.sent), [180, 200], 'retransmitted INVITE absorbed');
    clock.advance(500);
    assert.deepEqual(statuses(wire.sent), [180, 200], 'the transaction never retransmits 2xx itself');
    assert.equal(tx.respond(res(invite, 200, 'uas')), true, 'the TU retransmits 2xx through the transaction');
    assert.equal(tx.respond(res(invite, 486, 'uas')), false);
    assert.equal(tx.respond(res(invite, 183, 'uas')), false);
    assert.deepEqual(statuses(wire.sent), [180, 200, 200]);
    assert.equal(tx.receiveAck(invite), 'to-tu');
    assert.equal(tx.state, InviteServerState.Accepted, 'an ACK does not end Accepted');
    clock.advance(32_010 - 510 - 1);
    assert.equal(tx.state, InviteServerState.Accepted);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated, 'Timer L = 64*T1 after the 2xx');
    assert.equal(ctx.timeouts.length, 0);
    assert.equal(tx.respond(res(invite, 200, 'uas')), false);
  });

  test('Timer L is 64*T1 on reliable transports too', () => {
    const { clock, tx, invite } = start(SRC_TCP);
    tx.respond(res(invite, 200));
    clock.advance(31_999);
    assert.equal(tx.state, InviteServerState.Accepted);
    clock.advance(1);
    assert.equal(tx.state, InviteServerState.Terminated);
  });

  test('toTag comes from the final, else the latest provisional response', () => {
    const { tx, invite } = start();
    assert.equal(tx.toTag, undefined);
    tx.respond(res(invite, 180, 'p1'));
    assert.equal(tx.toTag, 'p1');
    tx.respond(res(invite, 486, 'f1'));
    assert.equal(tx.toTag, 'f1');
  });

  test('a transport failure in Completed terminates and informs the TU (17.2.4)', async () => {
    const { wire, tx, invite, ctx, clock } = start();
    wire.rejectError = new Error('unreachable');
    tx.respond(res(invite, 486));
    await flush();
    assert.equal(tx.state, InviteServerState.Terminated);
    assert.equal(ctx.transportErrors.length, 1);
    assert.equal(clock.pending, 0);
  });

  test('a transport failure in Accepted informs the TU and keeps the state (RFC 6026 Figure 7)', () => {
    const { wire, tx, invite, ctx } = start();
    wire.throwError = new Error('no route');
    tx.respond(res(invite, 200));
    assert.equal(tx.state, InviteServerState.Accepted);
    assert.equal(ctx.transportErrors.length, 1);
  });

  test('responses to an rport request go to the source address and port (RFC 3581)', () => {
    const invite = req({ sentBy: '10.0.0.5:5062', viaParams: ';rport=40123;received=203.0.113.9' });
    const { wire, tx } = start({ protocol: 'udp', address: '203.0.113.9', port: 40123, reliable: false }, invite);
    tx.respond(res(invite, 180));
    assert.deepEqual(wire.sent[0]?.dest, { protocol: 'udp', address: '203.0.113.9', port: 40123, reliable: false });
  });

  test('invalid status codes are refused', () => {
    const { tx, invite, wire } = start();
    const bad = res(invite, 180);
    bad.status = 99;
    assert.equal(tx.respond(bad), false);
    assert.equal(wire.sent.length, 0);
  });
});
