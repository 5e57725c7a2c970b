import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DialogTable, dialogKey, INVITE_USAGE, usageIdOf, type DialogUsage } from '../../../../src/sip/dialog/index.js';
import { createResponse, parseMessage, SipRequest } from '../../../../src/sip/message/index.js';

/** A request WE RECEIVE in dialog (call-id, to-tag = our tag, from-tag = theirs). */
function request(
  method: string,
  o: { callId?: string; toTag?: string; fromTag?: string; event?: string } = {},
): SipRequest {
  const m = parseMessage(
    Buffer.from(
      `${method} sip:srv@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK${Math.random()}\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=${o.fromTag ?? 'ph'}\r\nTo: <sip:srv@example.com>${o.toTag === undefined ? ';tag=us' : o.toTag}\r\n` +
        `Call-ID: ${o.callId ?? 'c1'}\r\nCSeq: 2 ${method}\r\n${o.event === undefined ? '' : `Event: ${o.event}\r\n`}` +
        'Content-Length: 0\r\n\r\n',
    ),
  );
  assert.ok(m instanceof SipRequest);
  return m;
}

/** A usage that records what it is given. */
class Usage implements DialogUsage {
  readonly requests: SipRequest[] = [];
  readonly acks: SipRequest[] = [];
  constructor(
    readonly dialogId: string,
    readonly usageId: string,
  ) {}
  onDialogRequest(req: SipRequest) {
    this.requests.push(req);
    return createResponse(req, 200, 'OK');
  }
  onDialogAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
}

const D1 = dialogKey('c1', 'us', 'ph');

describe('usageIdOf (RFC 5057 section 5)', () => {
  test('SUBSCRIBE and NOTIFY: Event type, lower-case, with its id; REFER: refer; the rest: the invite usage', () => {
    assert.equal(usageIdOf(request('SUBSCRIBE', { event: 'Message-Summary' })), 'message-summary');
    assert.equal(usageIdOf(request('NOTIFY', { event: 'presence ; ID = 7 ;foo' })), 'presence;id=7');
    assert.equal(usageIdOf(request('REFER')), 'refer');
    for (const m of ['INVITE', 'BYE', 'UPDATE', 'INFO', 'PRACK', 'ACK', 'OPTIONS'])
      assert.equal(usageIdOf(request(m)), INVITE_USAGE, m);
  });
});

describe('DialogTable', () => {
  test('a single-usage dialog is filed as the usage itself, under its own dialog-ID string', () => {
    const t = new DialogTable();
    const sub = new Usage(D1, 'message-summary');
    assert.equal(t.add(sub), true);
    assert.equal(t.size, 1);
    assert.equal(
      (t as unknown as { dialogs: Map<string, unknown> }).dialogs.get(D1),
      sub,
      'no container for one usage',
    );
    assert.equal(t.get(D1, 'message-summary'), sub);
    assert.equal(t.add(new Usage(D1, 'message-summary')), false, 'one usage per id in a dialog');
  });

  test('routes a request to the usage of its dialog; no dialog, or no such usage, says why', () => {
    const t = new DialogTable();
    const sub = new Usage(D1, 'message-summary');
    t.add(sub);
    assert.equal(t.match(request('SUBSCRIBE', { event: 'message-summary' })), sub);
    assert.equal(t.match(request('SUBSCRIBE', { event: 'message-summary', callId: 'c2' })), 'no-dialog');
    assert.equal(
      t.match(request('SUBSCRIBE', { event: 'message-summary', fromTag: 'other' })),
      'no-dialog',
      'the remote tag is part of the ID',
    );
    assert.equal(
      t.match(request('SUBSCRIBE', { event: 'message-summary', toTag: ';tag=US' })),
      'no-dialog',
      'tags compare case-sensitively',
    );
    assert.equal(t.match(request('SUBSCRIBE', { event: 'presence' })), 'no-usage');
    assert.equal(t.match(request('BYE')), 'no-usage', 'a subscription dialog has no invite usage');
  });

  test('a second usage shares the dialog; each gets its own requests; the dialog ends with its last usage', () => {
    const t = new DialogTable();
    const sub = new Usage(D1, 'message-summary');
    const call = new Usage(D1, INVITE_USAGE);
    const other = new Usage(dialogKey('c2', 'us', 'ph'), 'message-summary');
    t.add(sub);
    t.add(call);
    t.add(other);
    assert.equal(t.size, 2, 'two dialogs, three usages');
    assert.equal(t.add(new Usage(D1, INVITE_USAGE)), false);
    assert.equal(t.match(request('SUBSCRIBE', { event: 'message-summary' })), sub);
    assert.equal(t.match(request('BYE')), call);
    assert.equal(t.match(request('SUBSCRIBE', { event: 'message-summary', callId: 'c2' })), other);
    assert.equal(t.remove(call), true);
    assert.equal(t.remove(call), false, 'removed once');
    assert.equal((t as unknown as { dialogs: Map<string, unknown> }).dialogs.get(D1), sub, 'back to the single form');
    assert.equal(t.match(request('BYE')), 'no-usage');
    assert.equal(t.has(D1), true, 'the subscription keeps the dialog alive');
    assert.equal(t.remove(sub), true);
    assert.equal(t.has(D1), false, 'the dialog ended with its last usage');
    assert.equal(t.match(request('SUBSCRIBE', { event: 'message-summary' })), 'no-dialog');
    assert.equal(t.remove(new Usage(D1, 'x')), false);
    assert.equal(t.size, 1);
  });

  test('the ACK for a 2xx reaches the invite usage of its dialog; any other ACK is absorbed', () => {
    const t = new DialogTable();
    const sub = new Usage(D1, 'message-summary');
    t.add(sub);
    assert.equal(t.ack(request('ACK')), false, 'no invite usage: absorbed');
    const call = new Usage(D1, INVITE_USAGE);
    t.add(call);
    const ack = request('ACK');
    assert.equal(t.ack(ack), true);
    assert.deepEqual(call.acks, [ack]);
    assert.deepEqual(sub.acks, [], 'not the subscription');
    assert.equal(t.ack(request('ACK', { callId: 'nowhere' })), false, 'no dialog: absorbed');
    const noAckHook: DialogUsage = {
      dialogId: dialogKey('c3', 'us', 'ph'),
      usageId: INVITE_USAGE,
      onDialogRequest: () => undefined,
    };
    t.add(noAckHook);
    assert.equal(t.ack(request('ACK', { callId: 'c3' })), false, 'a usage without the hook: absorbed');
  });
});
