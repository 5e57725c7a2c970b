import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SubscriptionIndex } from '../../../src/events/subscription-index.js';
import { Subscription } from '../../../src/events/subscription.js';
import type { EventPackage } from '../../../src/events/event-package.js';
import { DialogTable, dialogIdOf, makeDialogState, type DialogState } from '../../../src/sip/dialog/index.js';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.js';
import type { RequestContext } from '../../../src/sip/core.js';
import type { TxDestination } from '../../../src/sip/transaction/index.js';

const pkg = { name: 'message-summary' } as EventPackage;
const dialog = (over: Partial<DialogState> = {}): DialogState => ({
  ...makeDialogState(
    'a84b4c76e66710@pc33',
    'srv1',
    'ph9',
    '<sip:alice@example.com>',
    '<sip:alice@example.com>',
    1000,
    7,
    'sip:alice@192.0.2.10:5070',
    [],
    false,
  ),
  ...over,
});
const owner = { onSubscriptionRequest: () => undefined };
const udp: TxDestination = { protocol: 'udp', address: '192.0.2.10', port: 5070, reliable: false };

describe('Subscription (packed dialog state)', () => {
  test('gives back the dialog and source it was made with; the id is the dialog ID', () => {
    const d = dialog({ routeSet: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'], secure: true });
    const tcp: TxDestination = { protocol: 'tcp', address: '2001:db8::1', port: 5060, flowId: 'f17', reliable: true };
    const s = new Subscription(
      dialogIdOf(d),
      pkg,
      'alice',
      'alice',
      d,
      5000,
      tcp,
      '<sip:192.0.2.1:5060;transport=tcp>',
      undefined,
      1000,
      0,
      owner,
    );
    assert.deepEqual(s.dialog, d);
    assert.deepEqual(s.source, tcp);
    assert.equal(s.id, dialogIdOf(d));
    assert.equal(s.subscriber, s.resource);
  });

  test('the dialog changes only through its methods: a request built (local CSeq), a target refresh (remote CSeq, target); the source too', () => {
    const s = new Subscription('x', pkg, 'alice', 'bob', dialog(), 5000, udp, '<sip:h>', undefined, 1000, 0, owner);
    const d = s.dialog;
    const out = s.createRequest('NOTIFY', {
      via: { transport: 'UDP', host: '192.0.2.1', port: 5060 },
      contact: '<sip:h>',
    });
    assert.equal(out.request.cseq.seq, d.localSeq + 1);
    assert.equal(s.localCSeq, d.localSeq + 1, 'a NOTIFY just built moves the local CSeq');
    assert.equal(JSON.parse(s.toRecord().dialog).localSeq, d.localSeq + 1);
    const resubscribeAt = (cseq: number): SipRequest =>
      parseMessage(
        Buffer.from(
          'SUBSCRIBE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:6000;branch=z9hG4bK1\r\n' +
            'From: <sip:alice@example.com>;tag=ph9\r\nTo: <sip:alice@example.com>;tag=srv1\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: ' +
            cseq +
            ' SUBSCRIBE\r\n' +
            'Contact: <sip:alice@198.51.100.7:6000>\r\nEvent: message-summary\r\nContent-Length: 0\r\n\r\n',
        ),
      ) as SipRequest;
    assert.equal(s.checkRequest(resubscribeAt(9)), 'ok');
    assert.equal(s.dialog.remoteTarget, 'sip:alice@198.51.100.7:6000');
    assert.equal(s.dialog.remoteSeq, 9);
    assert.equal(s.dialog.localSeq, d.localSeq + 1, 'the refresh keeps the local CSeq');
    assert.equal(s.checkRequest(resubscribeAt(8)), 'out-of-order');
    assert.equal(s.dialog.remoteSeq, 9, 'an out-of-order request changes nothing');
    s.source = { ...udp, port: 6000 };
    assert.equal(s.source.port, 6000);
    assert.equal(s.dialog.remoteTarget, 'sip:alice@198.51.100.7:6000');
    assert.equal(s.id, 'x', 'an id given that is not the dialog key is kept');
    assert.equal(s.subscriber, 'bob');
    assert.equal(JSON.parse(s.toRecord().dialog).remoteTarget, 'sip:alice@198.51.100.7:6000');
  });

  test('is the usage of its dialog: filed in the dialog table as itself, its requests go to its owner', () => {
    const seen: [Subscription, SipRequest][] = [];
    const d = dialog();
    const s = new Subscription(dialogIdOf(d), pkg, 'alice', 'alice', d, 5000, udp, '<sip:h>', undefined, 1000, 0, {
      onSubscriptionRequest: (sub, req) => {
        seen.push([sub, req]);
        return undefined;
      },
    });
    const table = new DialogTable();
    assert.equal(table.add(s), true);
    assert.equal(s.dialogId, s.id);
    assert.equal(s.usageId, 'message-summary');
    const req = parseMessage(
      Buffer.from(
        'SUBSCRIBE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK2\r\n' +
          'From: <sip:alice@example.com>;tag=ph9\r\nTo: <sip:alice@example.com>;tag=srv1\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: 9 SUBSCRIBE\r\n' +
          'Event: message-summary\r\nContent-Length: 0\r\n\r\n',
      ),
    ) as SipRequest;
    const usage = table.match(req);
    assert.equal(usage, s);
    assert.ok(typeof usage !== 'string');
    void usage.onDialogRequest(req, {} as RequestContext);
    assert.deepEqual(seen, [[s, req]]);
  });

  test('an Event id is part of its usage id (RFC 6665 8.2.1), kept through re-packing and in the record; the flag bits stay apart', () => {
    const d = dialog();
    const s = new Subscription(
      dialogIdOf(d),
      pkg,
      'alice',
      'alice',
      d,
      5000,
      udp,
      '<sip:h>',
      undefined,
      1000,
      0,
      owner,
      ';id=7',
    );
    assert.equal(s.usageId, 'message-summary;id=7');
    s.failures = 3;
    s.inFlight = true;
    s.source = { ...udp, port: 6000 };
    assert.equal(s.usageId, 'message-summary;id=7');
    assert.equal(s.failures, 3);
    assert.equal(s.inFlight, true);
    assert.equal(s.toRecord().event, 'message-summary;id=7');
    const table = new DialogTable();
    table.add(s);
    const req = (event: string): SipRequest =>
      parseMessage(
        Buffer.from(
          'SUBSCRIBE sip:alice@192.0.2.1 SIP/2.0\r\n' +
            'Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK2\r\nFrom: <sip:alice@example.com>;tag=ph9\r\nTo: <sip:alice@example.com>;tag=srv1\r\n' +
            `Call-ID: a84b4c76e66710@pc33\r\nCSeq: 9 SUBSCRIBE\r\nEvent: ${event}\r\nContent-Length: 0\r\n\r\n`,
        ),
      ) as SipRequest;
    assert.equal(table.match(req('message-summary;id=7')), s);
    assert.equal(table.match(req('message-summary')), 'no-usage', 'another usage of the same dialog');
    const plain = new Subscription('y', pkg, 'alice', 'alice', d, 5000, udp, '<sip:h>', undefined, 1000, 0, owner);
    assert.equal(plain.usageId, 'message-summary');
    assert.equal(plain.toRecord().event, 'message-summary');
  });

  test('property: any header-safe dialog state and source round-trip', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{0,20}$/);
    const text = fc.stringMatching(/^[ -~]{1,40}$/);
    fc.assert(
      fc.property(
        word.filter((w) => w.length > 0),
        word,
        word,
        text,
        text,
        text,
        fc.array(text, { maxLength: 3 }),
        fc.nat(),
        fc.integer({ min: -1, max: 1000 }),
        fc.boolean(),
        fc.option(
          word.filter((w) => w.length > 0),
          { nil: undefined },
        ),
        (callId, lt, rt, lu, ru, target, routes, ls, rs, secure, flowId) => {
          const d = makeDialogState(callId, lt, rt, lu, ru, ls, rs, target, routes, secure);
          const src: TxDestination = {
            protocol: 'tls',
            address: '192.0.2.1',
            port: 1,
            reliable: true,
            ...(flowId && { flowId }),
          };
          const s = new Subscription(dialogIdOf(d), pkg, 'r', 's', d, 1, src, 'c', undefined, 0, 0, owner);
          assert.deepEqual(s.dialog, d);
          assert.deepEqual(s.source, src);
          assert.equal(s.id, dialogIdOf(d));
        },
      ),
    );
  });
});

describe('SubscriptionIndex', () => {
  test('one entry per key holds one, several, then one again; events are separate', () => {
    const ix = new SubscriptionIndex<string>();
    ix.add('e', 'k', 'a');
    assert.deepEqual([...ix.get('e', 'k')], ['a']);
    ix.add('e', 'k', 'a');
    assert.equal([...ix.get('e', 'k')].length, 1, 'adding twice files once');
    ix.add('e', 'k', 'b');
    ix.add('e', 'k', 'c');
    assert.deepEqual([...ix.get('e', 'k')].sort(), ['a', 'b', 'c']);
    assert.equal([...ix.get('other', 'k')].length, 0);
    ix.delete('e', 'k', 'a');
    ix.delete('e', 'k', 'c');
    assert.deepEqual([...ix.get('e', 'k')], ['b']);
    ix.delete('e', 'k', 'x');
    ix.delete('e', 'k', 'b');
    assert.deepEqual([...ix.get('e', 'k')], []);
  });
});
