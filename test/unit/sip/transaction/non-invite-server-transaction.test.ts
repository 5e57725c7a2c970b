import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipResponse } from '../../../../src/sip/message/index.js';
import type { TxDestination } from '../../../../src/sip/transaction/destination.js';
import {
  NonInviteServerState,
  NonInviteServerTransaction,
} from '../../../../src/sip/transaction/non-invite-server-transaction.js';
import { SRC_TCP, SRC_UDP, req, res, setup } from './fixtures.js';

function start(source: TxDestination = SRC_UDP) {
  const env = setup();
  const request = req({ method: 'SUBSCRIBE' });
  const tx = new NonInviteServerTransaction(request, source, env.ctx);
  tx.start();
  return { ...env, tx, request };
}

function statuses(sent: { msg: unknown }[]): number[] {
  return sent.map((s) => (s.msg instanceof SipResponse ? s.msg.status : -1));
}

describe('NonInviteServerTransaction (RFC 3261 17.2.2)', () => {
  test('Trying absorbs retransmissions silently', () => {
    const { wire, tx, request } = start();
    assert.equal(tx.state, NonInviteServerState.Trying);
    tx.receiveRetransmission(request);
    tx.receiveRetransmission(request);
    assert.equal(wire.sent.length, 0);
  });

  test('Proceeding: retransmissions get the latest provisional response', () => {
    const { wire, tx, request } = start();
    tx.respond(res(request, 100));
    assert.equal(tx.state, NonInviteServerState.Proceeding);
    tx.respond(res(request, 183));
    tx.receiveRetransmission(request);
    assert.deepEqual(statuses(wire.sent), [100, 183, 183]);
  });

  test('Completed: retransmissions get the final, later TU responses refused, Timer J = 64*T1 on UDP', () => {
    const { clock, wire, tx, request, ctx } = start();
    clock.advance(100);
    assert.equal(tx.respond(res(request, 200)), true);
    assert.equal(tx.state, NonInviteServerState.Completed);
    assert.equal(tx.lastFinalStatus, 200);
    assert.equal(tx.lastFinal, undefined, 'on UDP only the bytes of the final response are kept');
    clock.advance(1000);
    tx.receiveRetransmission(request);
    assert.equal(tx.respond(res(request, 500)), false);
    assert.equal(tx.respond(res(request, 180)), false);
    assert.deepEqual(statuses(wire.sent), [200, 200]);
    clock.advance(30_000);
    assert.deepEqual(statuses(wire.sent), [200, 200], 'never retransmits on its own');
    clock.advance(32_100 - 31_100 - 1);
    assert.equal(tx.state, NonInviteServerState.Completed);
    clock.advance(1);
    assert.equal(tx.state, NonInviteServerState.Terminated);
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(ctx.timeouts.length, 0);
    assert.equal(clock.pending, 0);
  });

  test('TCP: Timer J is zero; the response goes back on the flow', () => {
    const { clock, wire, tx, request } = start(SRC_TCP);
    tx.respond(res(request, 202));
    assert.equal(tx.state, NonInviteServerState.Terminated);
    assert.equal(clock.pending, 0);
    assert.deepEqual(wire.sent[0]?.dest, SRC_TCP);
  });

  test('a request the TU never answers ends after 64*T1 and the TU is told', () => {
    const { clock, tx, ctx } = start();
    clock.advance(31_999);
    assert.equal(tx.state, NonInviteServerState.Trying);
    clock.advance(1);
    assert.equal(tx.state, NonInviteServerState.Terminated);
    assert.deepEqual(ctx.timeouts, [tx]);
    assert.equal(clock.pending, 0);
  });

  test('a transport failure terminates and informs the TU (17.2.4)', () => {
    const { wire, tx, request, ctx, clock } = start();
    wire.throwError = new Error('boom');
    tx.respond(res(request, 200));
    assert.equal(tx.state, NonInviteServerState.Terminated);
    assert.equal(ctx.transportErrors[0]?.message, 'boom');
    assert.equal(clock.pending, 0);
  });
});
