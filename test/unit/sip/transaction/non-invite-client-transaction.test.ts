import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import type { ClientTransactionHandlers } from '../../../../src/sip/transaction/client-handlers.js';
import {
  NonInviteClientState,
  NonInviteClientTransaction,
} from '../../../../src/sip/transaction/non-invite-client-transaction.js';
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
  onTimeout(): void {
    this.timeouts++;
  }
  onTransportError(e: Error): void {
    this.errors.push(e);
  }
}

function start(dest = UDP) {
  const env = setup();
  const h = new Recorder();
  const request = req({ method: 'OPTIONS' });
  const tx = new NonInviteClientTransaction(request, dest, h, env.ctx);
  tx.start();
  return { ...env, h, tx, request };
}

describe('NonInviteClientTransaction (RFC 3261 17.1.2)', () => {
  test('UDP: Timer E doubles from T1 and caps at T2; Timer F times out at 64*T1', () => {
    const { clock, wire, h, tx, ctx } = start();
    assert.equal(tx.state, NonInviteClientState.Trying);
    clock.advance(31_999);
    assert.deepEqual(wire.times('OPTIONS'), [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    assert.equal(h.timeouts, 0);
    clock.advance(1);
    assert.equal(h.timeouts, 1);
    assert.equal(tx.state, NonInviteClientState.Terminated);
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(clock.pending, 0);
  });

  test('in Proceeding, Timer E is reset to T2 each time it fires; F still applies', () => {
    const { clock, wire, h, tx, request } = start();
    clock.advance(600); // first retransmission at 500, next E due at 1500
    tx.receiveResponse(res(request, 100));
    assert.equal(tx.state, NonInviteClientState.Proceeding);
    assert.equal(h.provisional.length, 1);
    clock.advance(31_399);
    assert.deepEqual(wire.times(), [0, 500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500]);
    assert.equal(h.timeouts, 0);
    clock.advance(1);
    assert.equal(h.timeouts, 1, 'Timer F fires in Proceeding too');
    assert.equal(tx.state, NonInviteClientState.Terminated);
  });

  test('TCP: no retransmissions; Timer F', () => {
    const { clock, wire, h } = start(TCP);
    clock.advance(32_000);
    assert.deepEqual(wire.times(), [0]);
    assert.equal(h.timeouts, 1);
  });

  test('a final response completes: passed up once, retransmissions absorbed, Timer K = T4 on UDP', () => {
    const { clock, wire, h, tx, request, ctx } = start();
    clock.advance(2000);
    assert.equal(tx.receiveResponse(res(request, 200)), true);
    assert.equal(tx.state, NonInviteClientState.Completed);
    assert.equal(h.finals.length, 1);
    assert.equal(tx.receiveResponse(res(request, 200)), false);
    assert.equal(tx.receiveResponse(res(request, 180)), false);
    assert.equal(h.finals.length, 1);
    assert.equal(h.provisional.length, 0);
    const sentBefore = wire.sent.length;
    clock.advance(4999);
    assert.equal(wire.sent.length, sentBefore, 'no retransmission in Completed');
    assert.equal(tx.state, NonInviteClientState.Completed);
    clock.advance(1);
    assert.equal(tx.state, NonInviteClientState.Terminated);
    assert.deepEqual(ctx.terminated, [tx]);
    assert.equal(h.timeouts, 0);
    assert.equal(clock.pending, 0);
  });

  test('TCP: Timer K is zero', () => {
    const { clock, tx, request } = start(TCP);
    tx.receiveResponse(res(request, 404));
    assert.equal(tx.state, NonInviteClientState.Terminated);
    assert.equal(clock.pending, 0);
  });

  test('a transport failure in Trying informs the TU and terminates (17.1.4)', async () => {
    const { wire, clock, h, tx } = start();
    wire.rejectError = new Error('ICMP unreachable');
    clock.advance(500); // retransmission fails
    await flush();
    assert.equal(h.errors.length, 1);
    assert.equal(tx.state, NonInviteClientState.Terminated);
    assert.equal(clock.pending, 0);
  });

  test('a late rejection after completion is ignored', async () => {
    const env = setup();
    env.wire.rejectError = new Error('late');
    const h = new Recorder();
    const request = req({ method: 'OPTIONS' });
    const tx = new NonInviteClientTransaction(request, UDP, h, env.ctx);
    tx.start();
    tx.receiveResponse(res(request, 200));
    await flush();
    assert.equal(h.errors.length, 0);
    assert.equal(tx.state, NonInviteClientState.Completed);
  });
});
