import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageSummaryBodyCache } from '../../../src/events/packages/message-summary/message-summary-package.js';
import type { MwiSendHandlers } from '../../../src/mwi/mwi-forwarder-runner.js';
import type { MailboxMwi } from '../../../src/mwi/mwi-service.js';
import { bindingDestination, createUnsolicitedSender } from '../../../src/mwi/unsolicited-notify.js';
import { SipResponse, type SipRequest } from '../../../src/sip/message/index.js';
import type { TxDestination } from '../../../src/sip/transaction/index.js';
import type { BindingRecord } from '../../../src/storage/ports.js';

function binding(protocol: string, flowId: string | null): BindingRecord {
  return {
    user: 'alice',
    key: 'sip:alice@192.0.2.7:5062',
    contact: '<sip:alice@192.0.2.7:5062>',
    uri: 'sip:alice@192.0.2.7:5062',
    instanceId: null,
    callId: 'c1',
    cseq: 1,
    expiresAt: 3_600_000,
    source: { protocol, address: '198.51.100.9', port: 40000 },
    flowId,
    userAgent: null,
    q: null,
    updatedAt: 0,
  };
}

const counts = { new: 2, old: 1, urgentNew: 0, urgentOld: 0 };
const lamp: MailboxMwi = { mailbox: 'alice', counts, messagesWaiting: true, version: 3, changedAt: 1 };

describe('unsolicited NOTIFY (RFC 3842 section 3.5 body, out of dialog)', () => {
  test('goes to the flow over a stream, to the REGISTER source over UDP', () => {
    assert.deepEqual(bindingDestination(binding('tcp', 'f1')), {
      protocol: 'tcp',
      address: '198.51.100.9',
      port: 40000,
      reliable: true,
      flowId: 'f1',
    });
    assert.deepEqual(bindingDestination(binding('udp', 'f1')), {
      protocol: 'udp',
      address: '198.51.100.9',
      port: 40000,
      reliable: false,
    });
  });

  test('a message-summary NOTIFY with no To-tag, terminated, resolving with the final status or 0', async () => {
    const sent: [SipRequest, TxDestination, MwiSendHandlers][] = [];
    const send = createUnsolicitedSender({
      state: () => ({ counts, version: 3 }),
      domain: 'example.com',
      bodies: messageSummaryBodyCache(),
      send: (req, dest, h) => {
        sent.push([req, dest, h]);
      },
      viaFor: () => ({ transport: 'TCP', host: '192.0.2.1', port: 5060 }),
    });
    const status = send(binding('tcp', 'f1'), lamp);
    const [req, dest, h] = sent[0] ?? assert.fail('nothing sent');
    assert.equal(req.method, 'NOTIFY');
    assert.equal(String(req.uri), 'sip:alice@192.0.2.7:5062');
    assert.equal(req.getHeader('Event'), 'message-summary');
    assert.equal(req.getHeader('Subscription-State'), 'terminated;reason=noresource');
    assert.equal(req.getHeader('Content-Type'), 'application/simple-message-summary');
    assert.equal(req.getHeader('Contact'), '<sip:192.0.2.1:5060;transport=tcp>');
    assert.equal(req.to.params.get('tag'), undefined);
    assert.match(
      req.body.toString(),
      /^Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 2\/1/,
    );
    assert.equal(dest.flowId, 'f1');
    h.onFinal(new SipResponse(489, 'Bad Event'));
    assert.equal(await status, 489);

    const again = send(binding('udp', null), lamp);
    sent[1]?.[2].onTimeout();
    assert.equal(await again, 0);
  });
});
