import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipRequest, SipResponse, createResponse, serializeMessage } from '../../../../src/sip/message/index.js';
import { createCancel } from '../../../../src/sip/transaction/cancel.js';
import type { ClientTransactionHandlers } from '../../../../src/sip/transaction/client-handlers.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { TransactionError } from '../../../../src/sip/transaction/errors.js';
import {
  InviteServerState,
  InviteServerTransaction,
} from '../../../../src/sip/transaction/invite-server-transaction.js';
import type { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server-transaction.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import type { ServerTransaction } from '../../../../src/sip/transaction/transaction-user.js';
import { SRC_UDP, UDP, Wire, req, res } from './fixtures.js';
import { CancelUser, User, layer, quiet, statuses } from './layer-fixtures.js';

describe('TransactionLayer: client side (RFC 3261 17.1.3)', () => {
  test('sendRequest adds a magic-cookie branch when missing and keeps a good one', () => {
    const { l, wire } = layer();
    const a = req({ method: 'OPTIONS', branch: null });
    l.sendRequest(a, UDP, quiet);
    const branch = a.vias[0]?.params.get('branch') ?? '';
    assert.match(branch, /^z9hG4bK.{4,}/);
    assert.equal((wire.sent[0]?.msg as SipRequest).vias[0]?.params.get('branch'), branch);

    const old = req({ method: 'OPTIONS', branch: '12345', callId: 'x2' });
    l.sendRequest(old, UDP, quiet);
    assert.match(old.vias[0]?.params.get('branch') ?? '', /^z9hG4bK/, 'an RFC 2543 branch is replaced');

    const b = req({ method: 'OPTIONS', branch: 'z9hG4bKmine' });
    l.sendRequest(b, UDP, quiet);
    assert.equal(b.vias[0]?.params.get('branch'), 'z9hG4bKmine');
    assert.equal(l.clientCount, 3);
  });

  test('refuses ACK, a request without Via and a branch already in use, with TransactionError', () => {
    const { l } = layer();
    assert.throws(
      () => l.sendRequest(req({ method: 'ACK' }), UDP, quiet),
      (e: unknown) => e instanceof TransactionError && e.code === 'ack',
    );
    const noVia = req({ method: 'OPTIONS' });
    noVia.removeHeader('Via');
    assert.throws(
      () => l.sendRequest(noVia, UDP, quiet),
      (e: unknown) => e instanceof TransactionError && e.code === 'no-via',
    );
    l.sendRequest(req({ method: 'OPTIONS', branch: 'z9hG4bKdup' }), UDP, quiet);
    assert.throws(
      () => l.sendRequest(req({ method: 'OPTIONS', branch: 'z9hG4bKdup' }), UDP, quiet),
      (e: unknown) => e instanceof TransactionError && e.code === 'duplicate-branch',
    );
  });

  test('responses match by branch AND CSeq method; strays are discarded', () => {
    const { l, clock } = layer();
    const finals: string[] = [];
    const handlers: ClientTransactionHandlers = {
      onFinal: (r) => finals.push(`${r.cseq.method} ${r.status}`),
      onTimeout() {},
      onTransportError() {},
    };
    const invite = req({ branch: 'z9hG4bKcall' });
    l.sendRequest(invite, UDP, handlers);
    l.receiveResponse(res(invite, 180), UDP);
    const cancel = createCancel(invite);
    l.sendRequest(cancel, UDP, handlers);
    assert.equal(l.clientCount, 2, 'CANCEL shares the branch but is its own transaction');
    l.receiveResponse(res(cancel, 200), UDP);
    assert.deepEqual(finals, ['CANCEL 200']);
    l.receiveResponse(res(invite, 487), UDP);
    assert.deepEqual(finals, ['CANCEL 200', 'INVITE 487']);
    l.receiveResponse(res(req({ branch: 'z9hG4bKunknown' }), 200), UDP);
    assert.deepEqual(finals, ['CANCEL 200', 'INVITE 487']);
    clock.advance(32_000);
    assert.equal(l.clientCount, 0, 'K and D done');
    assert.equal(clock.pending, 0);
  });

  test('the CANCEL built by createCancel follows RFC 3261 9.1', () => {
    const invite = req({ branch: 'z9hG4bKc1', extra: ['Route: <sip:p.example.com;lr>'] });
    const cancel = createCancel(invite);
    assert.equal(cancel.method, 'CANCEL');
    assert.equal(cancel.uri.toString(), invite.uri.toString());
    assert.deepEqual(cancel.getHeaderList('Via'), [invite.getHeaderList('Via')[0]]);
    assert.deepEqual(cancel.cseq, { seq: 1, method: 'CANCEL' });
    assert.equal(cancel.getHeader('To'), invite.getHeader('To'));
    assert.equal(cancel.getHeader('From'), invite.getHeader('From'));
    assert.equal(cancel.callId, invite.callId);
    assert.deepEqual(cancel.getHeaders('Route'), ['<sip:p.example.com;lr>']);
  });

  test('responses outside 100..699 are discarded', () => {
    const { l } = layer();
    let n = 0;
    const invite = req();
    l.sendRequest(invite, UDP, { onFinal: () => n++, onTimeout() {}, onTransportError() {} });
    const weird = res(invite, 200);
    weird.status = 700;
    l.receiveResponse(weird, UDP);
    assert.equal(n, 0);
  });
});

describe('TransactionLayer: server side (RFC 3261 17.2.3)', () => {
  test('a new request reaches the TU once; retransmissions are absorbed by the transaction', () => {
    const user = new User();
    const { l, wire } = layer(user);
    l.receiveRequest(req({ method: 'REGISTER' }), SRC_UDP);
    l.receiveRequest(req({ method: 'REGISTER' }), SRC_UDP);
    assert.equal(user.requests.length, 1);
    assert.equal(l.serverCount, 1);
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 200, 'OK', 'srv'));
    l.receiveRequest(req({ method: 'REGISTER' }), SRC_UDP);
    assert.deepEqual(statuses(wire), [200, 200]);
    assert.equal(user.requests.length, 1);
  });

  test('on UDP a Completed non-INVITE transaction is kept as key and bytes: retransmissions get the same response, to the same place, through Timer J', () => {
    const user = new User();
    const { l, wire, clock } = layer(user);
    l.receiveRequest(req({ method: 'SUBSCRIBE' }), SRC_UDP);
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 202, 'Accepted', 'srv'));
    assert.equal(l.serverCount, 0, 'the machine is gone');
    assert.equal(l.completedServerCount, 1);
    clock.advance(64 * 500 - 1);
    l.receiveRequest(req({ method: 'SUBSCRIBE' }), SRC_UDP);
    assert.equal(user.requests.length, 1, 'not a new request');
    const [first, again] = wire.sent;
    assert.ok(first && again);
    assert.deepEqual(again.dest, first.dest);
    assert.ok(serializeMessage(again.msg).equals(serializeMessage(first.msg)), 'byte for byte');
    assert.equal((again.msg as SipResponse).getHeader('To'), (first.msg as SipResponse).getHeader('To'), 'same To tag');
    clock.advance((64 * 500) / 4 + 1);
    l.receiveRequest(req({ method: 'SUBSCRIBE' }), SRC_UDP);
    assert.equal(user.requests.length, 2, 'after Timer J (+ at most J/4) the same branch is a new transaction');
  });

  test('a challenge (401/407) is sent statelessly (RFC 3261 8.2.7): nothing is kept and a retransmission is challenged anew', () => {
    const user = new User();
    const { l, wire } = layer(user);
    l.receiveRequest(req({ method: 'SUBSCRIBE' }), SRC_UDP);
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 401, 'Unauthorized', 'srv'));
    assert.equal(l.serverCount + l.completedServerCount, 0);
    l.receiveRequest(req({ method: 'SUBSCRIBE' }), SRC_UDP);
    assert.equal(user.requests.length, 2, 'the TU sees it again and challenges it again');
    assert.deepEqual(statuses(wire), [401]);
  });

  test('same branch with another sent-by or another method is another transaction', () => {
    const user = new User();
    const { l } = layer(user);
    l.receiveRequest(req({ method: 'OPTIONS' }), SRC_UDP);
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: '192.0.2.2:5060' }), SRC_UDP);
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: '192.0.2.1' }), SRC_UDP); // port absent != 5060 literal
    l.receiveRequest(req({ method: 'INFO' }), SRC_UDP);
    assert.equal(user.requests.length, 4);
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: 'PC.Example.com:5060' }), SRC_UDP);
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: 'pc.example.COM:5060' }), SRC_UDP);
    assert.equal(user.requests.length, 5, 'host compared case-insensitively');
  });

  test('ACK for a non-2xx is absorbed by the INVITE transaction; ACK for a 2xx goes to the TU', () => {
    const user = new User();
    const { l, clock } = layer(user);
    l.receiveRequest(req({ branch: 'z9hG4bKinv1', callId: 'c1' }), SRC_UDP);
    const tx1 = user.requests[0] as InviteServerTransaction;
    tx1.respond(createResponse(tx1.request, 486, 'Busy Here', 'uas1'));
    l.receiveRequest(req({ method: 'ACK', branch: 'z9hG4bKinv1', callId: 'c1', toTag: 'uas1' }), SRC_UDP);
    assert.equal(tx1.state, InviteServerState.Confirmed);
    assert.equal(user.acks.length, 0);

    l.receiveRequest(req({ branch: 'z9hG4bKinv2', callId: 'c2' }), SRC_UDP);
    const tx2 = user.requests[1] as InviteServerTransaction;
    tx2.respond(createResponse(tx2.request, 200, 'OK', 'uas2'));
    const ack2xx = req({ method: 'ACK', branch: 'z9hG4bKnewbranch', callId: 'c2', toTag: 'uas2' });
    l.receiveRequest(ack2xx, SRC_UDP);
    assert.deepEqual(user.acks, [ack2xx], 'ACK for 2xx is not part of the transaction');

    const sameBranchAck = req({ method: 'ACK', branch: 'z9hG4bKinv2', callId: 'c2', toTag: 'uas2' });
    l.receiveRequest(sameBranchAck, SRC_UDP);
    assert.equal(user.acks.length, 2, 'an ACK matching an Accepted transaction also goes to the TU');
    assert.equal(tx2.state, InviteServerState.Accepted);

    l.receiveRequest(req({ method: 'ACK', branch: 'z9hG4bKnothing' }), SRC_UDP);
    assert.equal(user.acks.length, 3, 'an unmatched ACK goes to the TU');

    clock.advance(32_000);
    assert.equal(l.serverCount, 0);
    assert.equal(clock.pending, 0);
  });

  test('CANCEL matching a pending INVITE goes to onCancel; acceptCancel answers 200 and 487 with one To tag', async () => {
    const { acceptCancel } = await import('../../../../src/sip/transaction/cancel.js');
    const user = new CancelUser();
    const { l, wire } = layer(user);
    l.receiveRequest(req({ branch: 'z9hG4bKc' }), SRC_UDP);
    const inviteTx = user.requests[0] as InviteServerTransaction;
    inviteTx.respond(createResponse(inviteTx.request, 180, 'Ringing', 'ring-tag'));
    const cancel = req({ method: 'CANCEL', branch: 'z9hG4bKc' });
    l.receiveRequest(cancel, SRC_UDP);
    assert.equal(user.requests.length, 1, 'CANCEL does not reach onRequest');
    assert.equal(user.cancels.length, 1);
    const [itx, creq, ctx] = user.cancels[0] as [InviteServerTransaction, SipRequest, NonInviteServerTransaction];
    assert.equal(itx, inviteTx);
    assert.equal(creq, cancel);
    assert.equal(acceptCancel(itx, ctx), true);
    const sent = wire.sent.map((s) => s.msg as SipResponse);
    const ok = sent.find((m) => m.status === 200);
    const terminated = sent.find((m) => m.status === 487);
    assert.equal(ok?.cseq.method, 'CANCEL');
    assert.equal(terminated?.cseq.method, 'INVITE');
    assert.equal(ok?.to.params.get('tag'), 'ring-tag');
    assert.equal(terminated?.to.params.get('tag'), 'ring-tag');
    assert.equal(inviteTx.state, InviteServerState.Completed);

    l.receiveRequest(req({ method: 'CANCEL', branch: 'z9hG4bKc' }), SRC_UDP);
    assert.equal(user.cancels.length, 1, 'retransmitted CANCEL absorbed');
    assert.deepEqual(statuses(wire), [180, 200, 487, 200]);
  });

  test('without onCancel the layer answers the CANCEL itself; a CANCEL after the final gets 200 only', () => {
    const user = new User();
    const { l, wire } = layer(user);
    l.receiveRequest(req({ branch: 'z9hG4bKx' }), SRC_UDP);
    l.receiveRequest(req({ method: 'CANCEL', branch: 'z9hG4bKx' }), SRC_UDP);
    assert.deepEqual(statuses(wire).sort(), [200, 487]);
    const tags = wire.sent.map((s) => (s.msg as SipResponse).to.params.get('tag'));
    assert.equal(tags[0], tags[1], 'same generated To tag on both');
    assert.ok(tags[0]);

    wire.clear();
    l.receiveRequest(req({ branch: 'z9hG4bKy', callId: 'y' }), SRC_UDP);
    const tx = user.requests[1] as InviteServerTransaction;
    tx.respond(createResponse(tx.request, 200, 'OK', 'y-tag'));
    l.receiveRequest(req({ method: 'CANCEL', branch: 'z9hG4bKy', callId: 'y' }), SRC_UDP);
    assert.deepEqual(statuses(wire), [200, 200]);
    assert.equal((wire.sent[1]?.msg as SipResponse).cseq.method, 'CANCEL');
    assert.equal(tx.state, InviteServerState.Accepted);
  });

  test('a CANCEL matching nothing is answered 481 (RFC 3261 9.2)', () => {
    const user = new CancelUser();
    const { l, wire } = layer(user);
    l.receiveRequest(req({ method: 'CANCEL', branch: 'z9hG4bKnone' }), SRC_UDP);
    assert.deepEqual(statuses(wire), [481]);
    assert.equal(user.cancels.length, 0);
    assert.equal(user.requests.length, 0);
  });

  test('without a TU, new requests are answered 503', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const l = new TransactionLayer({ send: wire.send, clock });
    l.receiveRequest(req({ method: 'OPTIONS' }), SRC_UDP);
    assert.deepEqual(statuses(wire), [503]);
  });

  test('Timer H reaches the TU through onTimeout', () => {
    const user = new User();
    const { l, clock } = layer(user);
    l.receiveRequest(req(), SRC_UDP);
    const tx = user.requests[0] as InviteServerTransaction;
    tx.respond(createResponse(tx.request, 480, 'Temporarily Unavailable', 't'));
    clock.advance(32_000);
    assert.deepEqual(user.timeouts, [tx]);
    assert.equal(l.serverCount, 0);
  });

  test('requests with an unusable Via are dropped without throwing', () => {
    const user = new User();
    const { l, wire } = layer(user);
    const bad = req({ method: 'OPTIONS' });
    bad.setHeader('Via', 'this is not a via');
    assert.doesNotThrow(() => l.receiveRequest(bad, SRC_UDP));
    const none = req({ method: 'OPTIONS' });
    none.removeHeader('Via');
    assert.doesNotThrow(() => l.receiveRequest(none, SRC_UDP));
    assert.equal(user.requests.length, 0);
    assert.equal(wire.sent.length, 0);
  });
});

describe('TransactionLayer: no leaks', () => {
  test('thousands of transactions of every kind are all removed once terminated', () => {
    const user = new User();
    const { l, clock } = layer(user);
    const N = 1000;
    for (let i = 0; i < N; i++) {
      const inv = req({ branch: `z9hG4bKci${i}`, callId: `ci${i}` });
      l.sendRequest(inv, UDP, quiet);
      l.receiveResponse(res(inv, i % 2 === 0 ? 200 : 486), UDP);
      const opt = req({ method: 'OPTIONS', branch: `z9hG4bKco${i}`, callId: `co${i}` });
      l.sendRequest(opt, UDP, quiet);
      if (i % 3 !== 0) l.receiveResponse(res(opt, 200), UDP); // a third time out (Timer F)
      l.receiveRequest(req({ branch: `z9hG4bKsi${i}`, callId: `si${i}` }), SRC_UDP);
      l.receiveRequest(req({ method: 'NOTIFY', branch: `z9hG4bKsn${i}`, callId: `sn${i}` }), SRC_UDP);
    }
    // An answered OPTIONS client transaction ends at once: the layer discards stray responses anyway.
    assert.equal(l.clientCount, N + Math.ceil(N / 3));
    assert.equal(l.serverCount, 2 * N);
    for (const tx of user.requests) {
      const status = tx instanceof InviteServerTransaction ? 603 : 200;
      tx.respond(createResponse(tx.request, status, undefined, 'x'));
    }
    for (const tx of user.requests) {
      if (tx instanceof InviteServerTransaction && Number(tx.request.callId.slice(2)) % 2 === 0) {
        l.receiveRequest(
          req({
            method: 'ACK',
            branch: tx.request.vias[0]?.params.get('branch') ?? '',
            callId: tx.request.callId,
            toTag: 'x',
          }),
          SRC_UDP,
        );
      }
    }
    assert.equal(l.completedServerCount, N, 'answered NOTIFYs: key and response bytes only');
    clock.advance(64 * 500);
    assert.equal(l.clientCount, 0);
    assert.equal(l.serverCount, 0);
    assert.equal(user.timeouts.length, N / 2, 'unACKed 603s hit Timer H');
    assert.equal(l.completedServerCount, N, 'Timer J is a minimum');
    clock.advance((64 * 500) / 4);
    assert.equal(l.completedServerCount, 0, 'gone at most a quarter of Timer J later');
    assert.equal(clock.pending, 0);
  });

  test('close() aborts everything and clears every timer', () => {
    const user = new User();
    const { l, clock } = layer(user);
    l.sendRequest(req({ branch: 'z9hG4bKa' }), UDP, quiet);
    l.sendRequest(req({ method: 'OPTIONS', branch: 'z9hG4bKb' }), UDP, quiet);
    l.receiveRequest(req({ branch: 'z9hG4bKc' }), SRC_UDP);
    l.receiveRequest(req({ method: 'OPTIONS', branch: 'z9hG4bKd' }), SRC_UDP);
    l.close();
    assert.equal(l.clientCount + l.serverCount, 0);
    assert.equal(clock.pending, 0);
  });
});
