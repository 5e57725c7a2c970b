import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/index.js';
import {
  DialogError,
  type DialogState,
  MAX_CSEQ,
  createInDialogRequest,
  createUasDialog,
  makeDialogState,
  restoreDialogState,
} from '../../../../src/sip/dialog/index.js';
import { VIA, subscribe, wire } from './fixtures.js';

function state(routeSet: string[], remoteTarget = 'sip:user@remoteua.example.com'): DialogState {
  return makeDialogState(
    'cid@host',
    'loc',
    'rem',
    '<sip:vm@example.com>',
    '"Bob" <sip:bob@example.com>',
    10,
    5,
    remoteTarget,
    routeSet,
    false,
  );
}

describe('createInDialogRequest (RFC 3261 12.2.1.1)', () => {
  test('loose routing: Request-URI = remote target, Route = route set, next hop = first route', () => {
    const d = state(['<sip:p1.example.com;lr>', '<sip:p2.example.com:5070;lr;transport=tcp>;x=1']);
    const { request, destinationUri } = createInDialogRequest(d, 'NOTIFY', { via: VIA });
    const got = wire(request);
    assert.equal(got.uri.toString(), 'sip:user@remoteua.example.com');
    assert.deepEqual(got.getHeaderList('Route'), [
      '<sip:p1.example.com;lr>',
      '<sip:p2.example.com:5070;lr;transport=tcp>;x=1',
    ]);
    assert.equal(destinationUri, 'sip:p1.example.com;lr');
  });

  test('no route set: no Route, next hop = remote target', () => {
    const d = state([], 'sip:bob@192.0.2.20:5062;transport=tcp');
    const { request, destinationUri } = createInDialogRequest(d, 'NOTIFY', { via: VIA });
    const got = wire(request);
    assert.equal(got.hasHeader('Route'), false);
    assert.equal(got.uri.toString(), 'sip:bob@192.0.2.20:5062;transport=tcp');
    assert.equal(destinationUri, 'sip:bob@192.0.2.20:5062;transport=tcp');
  });

  test('strict routing, the example of RFC 3261 12.2.1.1', () => {
    const d = state(['<sip:proxy1>', '<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>'], 'sip:user@remoteua');
    const { request, destinationUri } = createInDialogRequest(d, 'INFO', { via: VIA });
    const got = wire(request);
    assert.equal(got.method, 'INFO');
    assert.equal(got.uri.toString(), 'sip:proxy1');
    assert.deepEqual(got.getHeaderList('Route'), [
      '<sip:proxy2>',
      '<sip:proxy3;lr>',
      '<sip:proxy4>',
      '<sip:user@remoteua>',
    ]);
    assert.equal(destinationUri, 'sip:proxy1');
    assert.deepEqual(
      d.routeSet,
      ['<sip:proxy1>', '<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>'],
      'route set untouched',
    );
  });

  test('strict routing strips parameters not allowed in a Request-URI (method, headers)', () => {
    const d = state(['<sip:proxy1;method=INVITE;maddr=192.0.2.1?subject=x>'], 'sip:user@remoteua');
    const got = wire(createInDialogRequest(d, 'NOTIFY', { via: VIA }).request);
    assert.equal(got.uri.toString(), 'sip:proxy1;maddr=192.0.2.1');
  });

  test('the Request-URI never carries URI headers of the remote target', () => {
    const d = state([], 'sip:bob@192.0.2.20?subject=hi');
    assert.equal(wire(createInDialogRequest(d, 'NOTIFY', { via: VIA }).request).uri.toString(), 'sip:bob@192.0.2.20');
  });

  test('From/To/Call-ID/CSeq/Via/Max-Forwards, round trip through serializer and parser', () => {
    const d = state(['<sip:p1.example.com;lr>']);
    const { request } = createInDialogRequest(d, 'NOTIFY', {
      via: { transport: 'tcp', host: '192.0.2.5', port: 5080 },
      contact: 'sip:vm@192.0.2.5:5080;transport=tcp',
      headers: [
        ['Event', 'message-summary'],
        ['Subscription-State', 'active;expires=3599'],
      ],
      body: Buffer.from('Messages-Waiting: yes\r\nVoice-Message: 2/8\r\n'),
      contentType: 'application/simple-message-summary',
    });
    const got = wire(request);
    assert.equal(got.from.params.get('tag'), 'loc');
    assert.equal(got.from.uri.toString(), 'sip:vm@example.com');
    assert.equal(got.to.params.get('tag'), 'rem');
    assert.equal(got.to.displayName, 'Bob');
    assert.equal(got.callId, 'cid@host');
    assert.deepEqual(got.cseq, { seq: 11, method: 'NOTIFY' });
    assert.equal(got.maxForwards, 70);
    const via = got.vias[0];
    assert.ok(via);
    assert.equal(got.vias.length, 1);
    assert.equal(via.transport, 'TCP');
    assert.equal(via.host, '192.0.2.5');
    assert.equal(via.port, 5080);
    assert.match(via.params.get('branch') ?? '', /^z9hG4bK.{8,}/);
    assert.equal(via.params.has('rport'), true);
    assert.equal(got.contacts[0]?.nameAddr?.uri.toString(), 'sip:vm@192.0.2.5:5080;transport=tcp');
    assert.equal(got.getHeader('Event'), 'message-summary');
    assert.equal(got.getHeader('Subscription-State'), 'active;expires=3599');
    assert.equal(got.getHeader('Content-Type'), 'application/simple-message-summary');
    assert.equal(got.body.toString(), 'Messages-Waiting: yes\r\nVoice-Message: 2/8\r\n');
  });

  test('CSeq goes up by one per request and is stored in the state; branches differ', () => {
    const d = createUasDialog(subscribe(), 'ourtag');
    const a = createInDialogRequest(d, 'NOTIFY', { via: VIA }).request;
    const b = createInDialogRequest(d, 'NOTIFY', { via: VIA }).request;
    assert.equal(a.cseq.seq, 1);
    assert.equal(b.cseq.seq, 2);
    assert.equal(d.localSeq, 2);
    assert.notEqual(a.vias[0]?.params.get('branch'), b.vias[0]?.params.get('branch'));
    // To/From are the dialog's, with the tags swapped relative to the SUBSCRIBE
    assert.equal(a.from.params.get('tag'), 'ourtag');
    assert.equal(a.to.params.get('tag'), 'bobtag');
    assert.equal(a.uri.toString(), 'sip:bob@192.0.2.20:5062;transport=udp');
    assert.deepEqual(a.getHeaderList('Route'), ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;x=y>;foo=bar']);
  });

  test('a dialog restored from JSON keeps counting (persist, restart, restore)', () => {
    const d = createUasDialog(subscribe(), 'ourtag');
    createInDialogRequest(d, 'NOTIFY', { via: VIA });
    const restored = restoreDialogState(JSON.parse(JSON.stringify(d)));
    assert.deepEqual(restored, d);
    assert.equal(createInDialogRequest(restored, 'NOTIFY', { via: VIA }).request.cseq.seq, 2);
  });

  test('ACK reuses the INVITE CSeq number and does not change the state', () => {
    const d = state([]);
    const ack = createInDialogRequest(d, 'ACK', { via: VIA }).request;
    assert.deepEqual(ack.cseq, { seq: 10, method: 'ACK' });
    assert.equal(createInDialogRequest(d, 'ACK', { via: VIA, ackSeq: 7 }).request.cseq.seq, 7);
    assert.equal(d.localSeq, 10);
  });

  test('CANCEL is refused', () => {
    assert.throws(
      () => createInDialogRequest(state([]), 'CANCEL', { via: VIA }),
      (e: unknown) => e instanceof DialogError && e.code === 'invalid-method',
    );
  });

  test('CSeq exhaustion is a typed error and the state is unchanged', () => {
    const d = state([]);
    d.localSeq = MAX_CSEQ;
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: VIA }),
      (e: unknown) => e instanceof DialogError && e.code === 'cseq-exhausted',
    );
    assert.equal(d.localSeq, MAX_CSEQ);
  });

  test('a failing build (bad header) does not consume a CSeq number', () => {
    const d = state([]);
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: VIA, headers: [['X-Bad', 'a\r\nInjected: 1']] }),
      SipParseError,
    );
    assert.equal(d.localSeq, 10);
  });

  test('bad options: Max-Forwards, body without Content-Type, Via port', () => {
    const d = state([]);
    const invalid = (e: unknown) => e instanceof DialogError && e.code === 'invalid-option';
    assert.throws(() => createInDialogRequest(d, 'NOTIFY', { via: VIA, maxForwards: 256 }), invalid);
    assert.throws(() => createInDialogRequest(d, 'NOTIFY', { via: VIA, body: Buffer.from('x') }), invalid);
    assert.throws(() => createInDialogRequest(d, 'NOTIFY', { via: { ...VIA, port: 70000 } }), invalid);
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: { ...VIA, transport: 'UDP\r\nX-Evil: 1' } }),
      invalid,
    );
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: { ...VIA, host: '192.0.2.5\r\nX-Evil: 1' } }),
      invalid,
    );
    assert.throws(() => createInDialogRequest(d, 'NOTIFY', { via: { ...VIA, host: '' } }), invalid);
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: VIA, contact: 'sip:a@b\r\nX-Evil: 1' }),
      SipParseError,
    );
    assert.throws(
      () => createInDialogRequest(d, 'NOTIFY', { via: VIA, contentType: 'text/plain\nX: 1', body: Buffer.from('x') }),
      SipParseError,
    );
    assert.equal(d.localSeq, 10);
    assert.equal(wire(createInDialogRequest(d, 'NOTIFY', { via: VIA, maxForwards: 0 }).request).maxForwards, 0);
  });

  test('IPv6 Via host is bracketed; rport can be left out; empty remote tag gives no To tag', () => {
    const d = state([]);
    d.remoteTag = '';
    const got = wire(
      createInDialogRequest(d, 'NOTIFY', { via: { transport: 'udp', host: '2001:db8::5', port: 5060 }, rport: false })
        .request,
    );
    assert.equal(got.vias[0]?.host, '[2001:db8::5]');
    assert.equal(got.vias[0]?.params.has('rport'), false);
    assert.equal(got.to.params.has('tag'), false);
  });

  test('a Contact given as a full name-addr is used as is', () => {
    const got = wire(
      createInDialogRequest(state([]), 'NOTIFY', {
        via: VIA,
        contact: '"VM" <sip:vm@192.0.2.5>;+sip.instance="<urn:x>"',
      }).request,
    );
    assert.equal(got.contacts[0]?.nameAddr?.displayName, 'VM');
    assert.equal(got.contacts[0]?.nameAddr?.params.get('+sip.instance'), '"<urn:x>"');
  });
});
