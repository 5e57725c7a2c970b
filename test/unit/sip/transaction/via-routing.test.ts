import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../../src/sip/message/index.js';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import type { TxDestination } from '../../../../src/sip/transaction/destination.js';
import type { ServerTransaction } from '../../../../src/sip/transaction/transaction-user.js';
import { responseDestination } from '../../../../src/sip/transaction/via-routing.js';
import { SRC_TCP, SRC_UDP, req } from './fixtures.js';
import { User, layer } from './layer-fixtures.js';

describe('TransactionLayer: Via stamping and response routing (RFC 3261 18.2, RFC 3581)', () => {
  test('received and rport are added and the response goes to the source', () => {
    const user = new User();
    const { l, wire } = layer(user);
    const natted: TxDestination = { protocol: 'udp', address: '203.0.113.7', port: 61000, reliable: false };
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: '10.1.1.1:5060', viaParams: ';rport' }), natted);
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 200, 'OK', 't'));
    const sent = wire.sent[0];
    assert.deepEqual(sent?.dest, natted);
    const via = (sent?.msg as SipResponse).vias[0];
    assert.equal(via?.params.get('received'), '203.0.113.7');
    assert.equal(via?.params.get('rport'), '61000');
  });

  test('without rport: received added, response to the sent-by port', () => {
    const user = new User();
    const { l, wire } = layer(user);
    const src: TxDestination = { protocol: 'udp', address: '203.0.113.7', port: 61000, reliable: false };
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: 'phone.example.com:5070' }), src);
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 200, 'OK', 't'));
    assert.deepEqual(wire.sent[0]?.dest, { protocol: 'udp', address: '203.0.113.7', port: 5070, reliable: false });
    assert.equal((wire.sent[0]?.msg as SipResponse).vias[0]?.params.get('received'), '203.0.113.7');
  });

  test('nothing is added when sent-by is the source address; stamping can be turned off', () => {
    const user = new User();
    const { l } = layer(user);
    l.receiveRequest(req({ method: 'OPTIONS' }), SRC_UDP);
    assert.equal(user.requests[0]?.request.vias[0]?.params.has('received'), false);

    const user2 = new User();
    const { l: l2 } = layer(user2, false);
    l2.receiveRequest(req({ method: 'OPTIONS', viaParams: ';rport' }), { ...SRC_UDP, port: 7777 });
    assert.equal(user2.requests[0]?.request.vias[0]?.params.get('rport'), null);
  });
});

describe('responseDestination (RFC 3261 18.2.2, RFC 3581)', () => {
  test('reliable transport: back over the same flow, whatever the Via says', () => {
    const via = req({ transport: 'TCP', sentBy: 'elsewhere.example.com:9999', viaParams: ';maddr=239.1.1.1' }).vias[0];
    assert.deepEqual(responseDestination(via, SRC_TCP), SRC_TCP);
  });

  test('maddr: that address, sent-by port or 5060', () => {
    const a = req({ sentBy: 'h.example.com:5080', viaParams: ';maddr=[2001:db8::1]' }).vias[0];
    assert.deepEqual(responseDestination(a, SRC_UDP), {
      protocol: 'udp',
      address: '2001:db8::1',
      port: 5080,
      reliable: false,
    });
    const b = req({ sentBy: 'h.example.com', viaParams: ';maddr=239.255.255.1' }).vias[0];
    assert.equal(responseDestination(b, SRC_UDP).port, 5060);
  });

  test('no rport: source address with the sent-by port, 5060 by default', () => {
    const src: TxDestination = { protocol: 'udp', address: '198.51.100.4', port: 33333, reliable: false };
    assert.deepEqual(responseDestination(req({ sentBy: '[2001:db8::9]' }).vias[0], src), {
      protocol: 'udp',
      address: '198.51.100.4',
      port: 5060,
      reliable: false,
    });
  });

  test('no Via at all: back to the source', () => {
    assert.deepEqual(responseDestination(undefined, SRC_UDP), SRC_UDP);
  });
});

describe('stampVia details', () => {
  test('an IPv6 sent-by equal to the source (brackets aside) gets no received', () => {
    const { l } = layer(new User());
    const user = l.user as User;
    l.receiveRequest(req({ method: 'OPTIONS', sentBy: '[2001:db8::5]:5060' }), {
      protocol: 'udp',
      address: '2001:db8::5',
      port: 5060,
      reliable: false,
    });
    assert.equal(user.requests[0]?.request.vias[0]?.params.has('received'), false);
  });

  test('only the top Via changes; the others keep their order', () => {
    const { l, wire } = layer(new User());
    const user = l.user as User;
    const two = req({
      method: 'OPTIONS',
      sentBy: '10.0.0.1',
      extra: [
        'Via: SIP/2.0/UDP second.example.com;branch=z9hG4bK2',
        'Via: SIP/2.0/UDP third.example.com;branch=z9hG4bK3',
      ],
    });
    l.receiveRequest(two, { protocol: 'udp', address: '203.0.113.1', port: 5060, reliable: false });
    const tx = user.requests[0] as ServerTransaction;
    tx.respond(createResponse(tx.request, 200, 'OK', 't'));
    const vias = (wire.sent[0]?.msg as SipResponse).vias;
    assert.deepEqual(
      vias.map((v) => [v.host, v.params.get('received') ?? null]),
      [
        ['10.0.0.1', '203.0.113.1'],
        ['second.example.com', null],
        ['third.example.com', null],
      ],
    );
  });
});
