import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipRequest,
  SipResponse,
  createResponse,
  parseMessage,
  serializeMessage,
} from '../../../../src/sip/message/index.js';
import {
  checkInDialogRequest,
  copyRecordRoute,
  createInDialogRequest,
  createOutOfDialogRequest,
  createUacDialog,
  createUasDialog,
  dialogIdOf,
  resolveUriTarget,
} from '../../../../src/sip/dialog/index.js';
import { wire } from './fixtures.js';

const PHONE_VIA = { transport: 'tcp', host: '192.0.2.20', port: 40000 };
const SERVER_VIA = { transport: 'tcp', host: '192.0.2.5', port: 5060 };

/** Two record-routing proxies between phone and server: p1 next to the phone, p2 next to the server. */
function throughProxies(req: SipRequest): SipRequest {
  const m = wire(req);
  m.prependHeader('Via', 'SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1');
  m.prependHeader('Record-Route', '<sip:p1.example.com;transport=tcp;lr>');
  m.prependHeader('Via', 'SIP/2.0/TCP p2.example.com;branch=z9hG4bKp2');
  m.prependHeader('Record-Route', '<sip:p2.example.com;transport=tcp;lr>');
  return m;
}

function parsedResponse(res: SipResponse): SipResponse {
  const m = parseMessage(serializeMessage(res));
  assert.ok(m instanceof SipResponse);
  return m;
}

describe('a subscription dialog end to end, through the real parser and serializer', () => {
  test('SUBSCRIBE, 200, NOTIFY, re-SUBSCRIBE: both sides agree on the dialog, routes and CSeqs', () => {
    // the phone subscribes (outside any dialog)
    const sub = createOutOfDialogRequest(
      'SUBSCRIBE',
      'sip:alice@example.com',
      'sip:alice@example.com',
      'sip:alice@example.com',
      {
        via: PHONE_VIA,
        contact: 'sip:alice@192.0.2.20:40000;transport=tcp',
        headers: [
          ['Event', 'message-summary'],
          ['Expires', '3600'],
        ],
      },
    );
    const atServer = throughProxies(sub.request);

    // the server accepts: UAS dialog, 200 with Record-Route and Contact
    const server = createUasDialog(atServer, 'srvtag');
    assert.deepEqual(server.routeSet, [
      '<sip:p2.example.com;transport=tcp;lr>',
      '<sip:p1.example.com;transport=tcp;lr>',
    ]);
    const ok = createResponse(atServer, 200, 'OK', 'srvtag');
    copyRecordRoute(atServer, ok);
    ok.addHeader('Contact', '<sip:openum@192.0.2.5:5060;transport=tcp>');
    ok.addHeader('Expires', '3600');

    // the phone gets the 200: UAC dialog, same ID seen from the other side
    const res = parsedResponse(ok);
    const phone = createUacDialog(sub.request, res);
    assert.equal(dialogIdOf(phone), dialogIdOf(res));
    assert.deepEqual(phone.routeSet, [
      '<sip:p1.example.com;transport=tcp;lr>',
      '<sip:p2.example.com;transport=tcp;lr>',
    ]);
    assert.equal(phone.remoteTarget, 'sip:openum@192.0.2.5:5060;transport=tcp');

    // the server notifies: first hop p2, the phone's dialog matches and accepts
    const notify = createInDialogRequest(server, 'NOTIFY', {
      via: SERVER_VIA,
      contact: 'sip:openum@192.0.2.5:5060;transport=tcp',
      headers: [
        ['Event', 'message-summary'],
        ['Subscription-State', 'active;expires=3600'],
      ],
      body: Buffer.from('Messages-Waiting: no\r\n'),
      contentType: 'application/simple-message-summary',
    });
    assert.deepEqual(resolveUriTarget(notify.destinationUri, server.secure), {
      protocol: 'tcp',
      address: 'p2.example.com',
      port: 5060,
    });
    const notifyAtPhone = wire(notify.request);
    assert.equal(notifyAtPhone.uri.toString(), 'sip:alice@192.0.2.20:40000;transport=tcp');
    assert.equal(dialogIdOf(notifyAtPhone), dialogIdOf(phone));
    assert.equal(checkInDialogRequest(phone, notifyAtPhone), 'ok');
    assert.equal(phone.remoteSeq, 1);

    // the phone refreshes from a new address: first hop p1, the server's dialog matches and learns the new target
    const resub = createInDialogRequest(phone, 'SUBSCRIBE', {
      via: PHONE_VIA,
      contact: 'sip:alice@198.51.100.7:41000;transport=tcp',
      headers: [
        ['Event', 'message-summary'],
        ['Expires', '3600'],
      ],
    });
    assert.equal(resolveUriTarget(resub.destinationUri).address, 'p1.example.com');
    const resubAtServer = wire(resub.request);
    assert.equal(resubAtServer.cseq.seq, sub.request.cseq.seq + 1);
    assert.equal(dialogIdOf(resubAtServer), dialogIdOf(server));
    assert.equal(checkInDialogRequest(server, resubAtServer), 'ok');
    assert.equal(server.remoteTarget, 'sip:alice@198.51.100.7:41000;transport=tcp');

    // a stale copy of the first SUBSCRIBE arriving late is out of order
    assert.equal(checkInDialogRequest(server, atServer), 'out-of-order');
  });
});
