/**
 * The UA core routes every in-dialog request through the dialog table
 * (RFC 3261 section 12.2.2, RFC 5057): to its usage before any method
 * handler, 481 when no dialog or usage matches, and the ACK for a 2xx to
 * the invite usage.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserAgentCore } from '../../../src/sip/core.js';
import { DialogTable, dialogKey, INVITE_USAGE, type DialogUsage } from '../../../src/sip/dialog/index.js';
import { createResponse, parseMessage, SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { FakeClock } from '../../../src/base/clock.js';
import { TransportLayer } from '../../../src/sip/transport/index.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

class Usage implements DialogUsage {
  readonly requests: SipRequest[] = [];
  readonly acks: SipRequest[] = [];
  constructor(
    readonly dialogId: string,
    readonly usageId: string,
  ) {}
  onDialogRequest(req: SipRequest): SipResponse {
    this.requests.push(req);
    return createResponse(req, 202, 'Usage');
  }
  onDialogAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
}

function ua(withTable = true) {
  const sent: Buffer[] = [];
  const transports = new TransportLayer();
  transports.send = async (_dest, data): Promise<void> => {
    sent.push(Buffer.from(data));
  };
  const dialogs = new DialogTable();
  const core = new UserAgentCore({
    transports,
    clock: new FakeClock(1_700_000_000_000),
    product: 'test/1',
    ...(withTable && { dialogs }),
  });
  const byMethod: SipRequest[] = [];
  for (const m of ['SUBSCRIBE', 'NOTIFY', 'INVITE', 'REGISTER', 'PUBLISH'])
    core.onRequest(m, (req) => {
      byMethod.push(req);
      return createResponse(req, 200, 'Handler');
    });
  let n = 0;
  /** Send a request as alice's phone; the answers that came back. */
  const send = async (
    method: string,
    o: { callId?: string; toTag?: string; event?: string } = {},
  ): Promise<SipResponse[]> => {
    n++;
    core.receive({
      data: Buffer.from(
        `${method} sip:srv@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK${method === 'ACK' ? 'ack' : ''}${n}\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=ph\r\nTo: <sip:srv@example.com>${o.toTag ?? ';tag=us'}\r\n` +
          `Call-ID: ${o.callId ?? 'c1'}\r\nCSeq: ${n} ${method}\r\n${o.event === undefined ? '' : `Event: ${o.event}\r\n`}` +
          'Contact: <sip:alice@192.0.2.9>\r\nContent-Length: 0\r\n\r\n',
      ),
      source: { protocol: 'udp', address: '192.0.2.9', port: 5060 },
      local: { protocol: 'udp', address: '192.0.2.1', port: 5060 },
    });
    await turn();
    return sent
      .splice(0)
      .map((b) => parseMessage(b))
      .filter((m): m is SipResponse => m instanceof SipResponse);
  };
  const statuses = async (...a: Parameters<typeof send>): Promise<number[]> => (await send(...a)).map((r) => r.status);
  return { core, dialogs, byMethod, send, statuses };
}

const D1 = dialogKey('c1', 'us', 'ph');

describe('UA core: in-dialog requests go through the dialog table', () => {
  test('a request of a known dialog goes to its usage, not to the method handler', async () => {
    const { dialogs, byMethod, statuses } = ua();
    const sub = new Usage(D1, 'message-summary');
    dialogs.add(sub);
    assert.deepEqual(await statuses('SUBSCRIBE', { event: 'message-summary' }), [202]);
    assert.equal(sub.requests.length, 1);
    assert.equal(byMethod.length, 0);
  });

  test('no dialog: 481 (RFC 3261 12.2.2), whatever the method, with or without a handler', async () => {
    const { byMethod, statuses } = ua();
    for (const m of ['SUBSCRIBE', 'NOTIFY', 'BYE', 'INFO', 'OPTIONS']) {
      assert.deepEqual(await statuses(m, { event: 'message-summary' }), [481], m);
    }
    assert.equal(byMethod.length, 0);
  });

  test('a dialog without the usage addressed: 481; an in-dialog OPTIONS is answered by the core', async () => {
    const { dialogs, statuses } = ua();
    const sub = new Usage(D1, 'message-summary');
    dialogs.add(sub);
    assert.deepEqual(await statuses('BYE'), [481]);
    assert.deepEqual(await statuses('SUBSCRIBE', { event: 'presence' }), [481]);
    assert.deepEqual(await statuses('OPTIONS'), [200]);
    assert.equal(sub.requests.length, 0);
  });

  test('requests outside any dialog (no To tag) keep going to their method handlers', async () => {
    const { dialogs, byMethod, statuses } = ua();
    dialogs.add(new Usage(D1, 'message-summary'));
    assert.deepEqual(await statuses('SUBSCRIBE', { event: 'message-summary', toTag: '' }), [200]);
    assert.deepEqual(await statuses('NOTIFY', { event: 'message-summary', toTag: '' }), [200]);
    assert.equal(byMethod.length, 2);
  });

  test('REGISTER and PUBLISH never belong to a dialog: a To tag on them is ignored, they go to their handlers', async () => {
    const { byMethod, statuses } = ua();
    assert.deepEqual(await statuses('REGISTER'), [200]);
    assert.deepEqual(await statuses('PUBLISH', { event: 'message-summary' }), [200]);
    assert.deepEqual(
      byMethod.map((r) => r.method),
      ['REGISTER', 'PUBLISH'],
    );
  });

  test('the ACK for a 2xx reaches the invite usage; an ACK of no dialog is absorbed, never answered', async () => {
    const { dialogs, send } = ua();
    const call = new Usage(D1, INVITE_USAGE);
    const sub = new Usage(D1, 'message-summary');
    dialogs.add(sub);
    dialogs.add(call);
    assert.deepEqual(await send('ACK'), []);
    assert.equal(call.acks.length, 1);
    assert.equal(sub.acks.length, 0);
    assert.deepEqual(await send('ACK', { callId: 'nowhere' }), []);
    assert.equal(call.acks.length, 1);
  });

  test('without a table (a UA whose dialogs are its own), method handlers see in-dialog requests', async () => {
    const { byMethod, statuses } = ua(false);
    assert.deepEqual(await statuses('NOTIFY', { event: 'message-summary' }), [200]);
    assert.equal(byMethod.length, 1);
  });
});
