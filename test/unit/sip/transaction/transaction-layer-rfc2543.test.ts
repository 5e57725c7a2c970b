import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../../src/sip/message/index.js';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import { InviteServerState } from '../../../../src/sip/transaction/invite-server-transaction.js';
import type { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.js';
import { SRC_UDP, req } from './fixtures.js';
import { CancelUser, User, layer, statuses } from './layer-fixtures.js';

describe('TransactionLayer: RFC 2543 fallback matching (17.2.3)', () => {
  const legacy = (o: Parameters<typeof req>[0] = {}): SipRequest => req({ branch: null, ...o });

  test('INVITE retransmission, ACK with the response To tag, CANCEL', () => {
    const user = new CancelUser();
    const { l, wire, clock } = layer(user);
    l.receiveRequest(legacy(), SRC_UDP);
    l.receiveRequest(legacy(), SRC_UDP);
    assert.equal(user.requests.length, 1, 'retransmission matched by R-URI, tags, Call-ID, CSeq, top Via');
    l.receiveRequest(legacy({ callId: 'other' }), SRC_UDP);
    l.receiveRequest(legacy({ cseq: 2 }), SRC_UDP);
    l.receiveRequest(legacy({ fromTag: 'zz' }), SRC_UDP);
    l.receiveRequest(legacy({ uri: 'sip:carol@example.com' }), SRC_UDP);
    l.receiveRequest(legacy({ sentBy: '192.0.2.1:5070' }), SRC_UDP);
    assert.equal(user.requests.length, 6);

    const tx = user.requests[0] as InviteServerTransaction;
    l.receiveRequest(legacy({ method: 'CANCEL' }), SRC_UDP);
    assert.equal(user.cancels.length, 1);
    assert.equal(user.cancels[0]?.[0], tx);

    tx.respond(createResponse(tx.request, 486, 'Busy Here', 'busy'));
    l.receiveRequest(legacy({ method: 'ACK', toTag: 'wrong' }), SRC_UDP);
    assert.equal(user.acks.length, 1, 'ACK with another To tag is not for this transaction');
    assert.equal(tx.state, InviteServerState.Completed);
    l.receiveRequest(legacy({ method: 'ACK', toTag: 'busy' }), SRC_UDP);
    assert.equal(tx.state, InviteServerState.Confirmed);
    assert.equal(user.acks.length, 1);

    const before = wire.sent.length;
    l.receiveRequest(legacy(), SRC_UDP);
    assert.equal(wire.sent.length, before, 'INVITE retransmission absorbed in Confirmed');
    l.close();
    assert.equal(l.serverCount, 0);
    assert.equal(clock.pending, 0);
  });

  test('non-INVITE retransmission with a To tag (in-dialog) is matched; another To tag is not', () => {
    const user = new User();
    const { l } = layer(user);
    l.receiveRequest(legacy({ method: 'BYE', toTag: 'd1', cseq: 5 }), SRC_UDP);
    l.receiveRequest(legacy({ method: 'BYE', toTag: 'd1', cseq: 5 }), SRC_UDP);
    assert.equal(user.requests.length, 1);
    l.receiveRequest(legacy({ method: 'BYE', toTag: 'd2', cseq: 5 }), SRC_UDP);
    assert.equal(user.requests.length, 2);
  });

  test('an RFC 2543 CANCEL matching nothing gets 481, its retransmission the same 481', () => {
    const { l, wire } = layer(new User());
    l.receiveRequest(legacy({ method: 'CANCEL' }), SRC_UDP);
    l.receiveRequest(legacy({ method: 'CANCEL' }), SRC_UDP);
    assert.deepEqual(statuses(wire), [481, 481]);
    assert.equal(l.serverCount, 1);
  });
});
