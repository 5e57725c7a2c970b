import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipRequest } from '../../../../src/sip/message/index.js';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import type { ClientTransactionHandlers } from '../../../../src/sip/transaction/client-handlers.js';
import type { Transaction } from '../../../../src/sip/transaction/transaction-base.js';
import {
  InviteClientState,
  InviteClientTransaction,
} from '../../../../src/sip/transaction/invite-client-transaction.js';
import { TCP, UDP, flush, req, res, setup } from './fixtures.js';

class Recorder implements ClientTransactionHandlers {
  readonly provisional: SipResponse[] = [];
  readonly finals: SipResponse[] = [];
  timeouts = 0;
  readonly errors: Error[] = [];
  onProvisional(r: SipResponse): void {
    this.provisional.push(r);
  }
  onFinal(r: SipResponse): void {
    this.finals.push(r);
  }
  timedOut: Transaction | undefined;
  onTimeout(tx: Transaction): void {
    this.timeouts++;
    this.timedOut = tx;
  }
  onTransportError(e: Error): void {
    this.errors.push(e);
  }
}

function start(dest = UDP, invite = req()) {
  const env = setup();
  const h = new Recorder();
  const tx = new InviteClientTransaction(invite, dest, h, env.ctx);
  tx.start();
  return { ...env, h, tx, invite };
}

describe('InviteClientTransaction (RFC 3261 17.1.1, RFC 6026)', () => {
  test('UDP: Timer A retransmits at T1 doubling without cap; Timer B times out at 64*T1', () => {
    const { clock, wire, h, tx, ctx } = start();
    assert.equal(tx.state, InviteClientState.Calling);
    clock.advance(31_999);
    // intervals 500, 1000, 2000, 4000, 8000, 16000 (doubling past T2 = 4 s)
    assert.deepEqual(wire.times('INVITE'), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    assert.equal(h.timeouts, 0);
    clock.advance(1);
    assert.equal(h.timeouts, 1);
    assert.equal(h.timedOut, tx);
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(clock.pending, 0);
    clock.advance(100_000);
    assert.equal(wire.sent.length, 7, 'nothing after termination');
  });

  test('TCP: no retransmission, Timer B still fires', () => {
    const { clock, wire, h, tx } = start(TCP);
    clock.advance(32_000);
    assert.deepEqual(wire.times(), [0]);
    assert.equal(h.timeouts, 1);
    assert.equal(tx.state, InviteClientState.Terminated);
  });

  test('a provisional response moves to Proceeding, stops A and B, and is passed up each time', () => {
    const { clock, wire, h, tx, invite } = start();
    clock.advance(600);
    assert.equal(tx.receiveResponse(res(invite, 100)), true);
    assert.equal(tx.state, InviteClientState.Proceeding);
    tx.receiveResponse(res(invite, 180));
    assert.equal(h.provisional.length, 2);
    clock.advance(300_000);
    assert.deepEqual(wire.times(), [0, 500], 'no retransmission in Proceeding');
    assert.equal(h.timeouts, 0, 'Timer B is not running in Proceeding');
    assert.equal(tx.state, InviteClientState.Proceeding);
  });

  test('300-699: ACK per 17.1.1.3, response passed up once, retransmissions re-ACKed, Timer D 32 s on UDP', () => {
    const invite = req({ extra: ['Route: <sip:proxy1.example.com;lr>', 'Route: <sip:proxy2.example.com;lr>'] });
    const { clock, wire, h, tx, ctx } = start(UDP, invite);
    tx.receiveResponse(res(invite, 180));
    clock.advance(1000);
    const busy = res(invite, 486, 'callee-tag');
    tx.receiveResponse(busy);
    assert.equal(tx.state, InviteClientState.Completed);
    assert.equal(h.finals.length, 1);
    const acks = wire.filter('ACK');
    assert.equal(acks.length, 1);
    const ack = acks[0]?.msg as SipRequest;
    assert.ok(ack instanceof SipRequest);
    assert.equal(ack.uri.toString(), invite.uri.toString());
    assert.deepEqual(ack.getHeaderList('Via'), [invite.getHeaderList('Via')[0]]);
    assert.equal(ack.vias[0]?.params.get('branch'), 'z9hG4bKtest1');
    assert.equal(ack.getHeader('From'), invite.getHeader('From'));
    assert.equal(ack.callId, invite.callId);
    assert.equal(ack.to.params.get('tag'), 'callee-tag');
    assert.deepEqual(ack.cseq, { seq: 1, method: 'ACK' });
    assert.deepEqual(ack.getHeaders('Route'), invite.getHeaders('Route'));
    assert.equal(ack.body.length, 0);
    assert.equal(acks[0]?.dest, UDP, 'ACK goes where the INVITE went');
    assert.equal(tx.ackRequest, ack);

    clock.advance(5000);
    tx.receiveResponse(res(invite, 486, 'callee-tag'));
    assert.equal(wire.filter('ACK').length, 2, 'retransmitted final is ACKed again');
    assert.equal(h.finals.length, 1, 'but not passed up again');
    assert.equal(tx.receiveResponse(res(invite, 200)), false, 'a 2xx in Completed is not for this machine');

    clock.advance(32_000 - 5000 - 1);
    assert.equal(tx.state, InviteClientState.Completed);
    clock.advance(1);
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(clock.pending, 0);
    assert.equal(h.timeouts, 0);
  });

  test('300-699 on TCP: Timer D is zero, terminated at once', () => {
    const { clock, h, tx, invite, wire } = start(TCP);
    tx.receiveResponse(res(invite, 603));
    assert.equal(h.finals.length, 1);
    assert.equal(wire.filter('ACK').length, 1);
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.equal(clock.pending, 0);
  });

  test('300-699 straight from Calling stops Timer A', () => {
    const { clock, wire, tx, invite } = start();
    tx.receiveResponse(res(invite, 404));
    clock.advance(10_000);
    assert.deepEqual(wire.times('INVITE'), [0]);
  });

  test('2xx moves to Accepted: passed up, never ACKed by the transaction, every 2xx passed up until Timer M', () => {
    const { clock, wire, h, tx, invite, ctx } = start();
    clock.advance(100);
    tx.receiveResponse(res(invite, 200, 'fork-1'));
    assert.equal(tx.state, InviteClientState.Accepted);
    assert.equal(h.finals.length, 1);
    assert.equal(tx.receiveResponse(res(invite, 200, 'fork-1')), true, 'retransmitted 2xx');
    assert.equal(tx.receiveResponse(res(invite, 200, 'fork-2')), true, 'forked 2xx');
    assert.equal(h.finals.length, 3);
    assert.equal(tx.receiveResponse(res(invite, 486)), false, 'non-2xx in Accepted is discarded');
    assert.equal(tx.receiveResponse(res(invite, 180)), false);
    assert.equal(h.finals.length, 3);
    assert.equal(h.provisional.length, 0);
    assert.equal(wire.filter('ACK').length, 0, 'the TU ACKs 2xx (13.2.2.4)');
    clock.advance(10_000);
    assert.deepEqual(wire.times('INVITE'), [0], 'A stopped');
    clock.advance(32_099 - 10_100); // 2xx at t=100, M = 32 s
    assert.equal(tx.state, InviteClientState.Accepted);
    clock.advance(1);
    assert.equal(tx.state, InviteClientState.Terminated, 'Timer M = 64*T1');
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(h.timeouts, 0);
  });

  test('Timer M applies on reliable transports too', () => {
    const { clock, tx, invite } = start(TCP);
    tx.receiveResponse(res(invite, 200));
    clock.advance(31_999);
    assert.equal(tx.state, InviteClientState.Accepted);
    clock.advance(1);
    assert.equal(tx.state, InviteClientState.Terminated);
  });

  test('a transport error thrown by send terminates the transaction and informs the TU (17.1.4)', () => {
    const env = setup();
    env.wire.throwError = new Error('ECONNREFUSED');
    const h = new Recorder();
    const tx = new InviteClientTransaction(req(), TCP, h, env.ctx);
    tx.start();
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.equal(h.errors[0]?.message, 'ECONNREFUSED');
    assert.equal(env.clock.pending, 0);
    assert.deepEqual(env.ctx.terminated, [tx]);
  });

  test('a rejected send promise is reported asynchronously', async () => {
    const env = setup();
    env.wire.rejectError = new Error('EHOSTUNREACH');
    const h = new Recorder();
    const tx = new InviteClientTransaction(req(), UDP, h, env.ctx);
    tx.start();
    assert.equal(tx.state, InviteClientState.Calling);
    await flush();
    assert.equal(tx.state, InviteClientState.Terminated);
    assert.equal(h.errors.length, 1);
    assert.equal(env.clock.pending, 0);
  });

  test('a failure sending the ACK ends the transaction silently after the final was passed up', () => {
    const { wire, h, tx, invite } = start();
    wire.throwError = new Error('gone');
    tx.receiveResponse(res(invite, 500));
    assert.equal(h.finals.length, 1);
    assert.equal(h.errors.length, 0);
    assert.equal(tx.state, InviteClientState.Terminated);
  });
});
