import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../../../src/base/clock.js';
import { VERSION } from '../../../../src/app/version.js';
import type { RetryPolicy } from '../../../../src/app/notify/retry-policy.js';
import { WebhookSender, type WebhookOutcomeDetail } from '../../../../src/app/notify/webhook.js';
import { verifyWebhookSignature } from '../../../../src/app/notify/webhook-signature.js';
import type { MessageRecord } from '../../../../src/storage/ports.js';
import { HttpCapture } from '../../../support/http-capture.js';
import { OutcomeLog } from '../../../support/outcome-log.js';

const SECRET = 'test-secret-0123456789';
const START = Date.parse('2024-05-01T12:00:00Z');
const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 600_000 };

const MESSAGE: MessageRecord = {
  id: 'AbC-123_xyz',
  mailbox: 'alice',
  callerNumber: '+15551234567',
  callerName: 'Bob "B" Smith',
  receivedAt: Date.parse('2024-05-01T11:59:50.250Z'),
  durationMs: 7_040,
  urgent: true,
  read: false,
  callId: 'call-1@example.com',
  reason: 'busy',
  audioPath: 'alice/AbC-123_xyz.wav',
  audioBytes: 112_684,
  origin: 'call',
};

/** A closed port on 127.0.0.1: connections to it are refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('WebhookSender against a real HTTP server', () => {
  let http: HttpCapture;
  const senders: WebhookSender[] = [];
  before(async () => {
    http = await HttpCapture.start();
  });
  after(async () => {
    for (const s of senders) s.stop();
    await http.close();
  });

  function sender(
    opts: { url?: string; clock?: FakeClock; timeoutMs?: number; maxPending?: number; concurrency?: number } = {},
  ) {
    const clock = opts.clock ?? new FakeClock(START);
    const log = new OutcomeLog<WebhookOutcomeDetail>();
    const s = new WebhookSender({
      url: opts.url ?? http.url,
      secret: SECRET,
      publicBaseUrl: 'http://vm.example.com:8080/',
      clock,
      policy: POLICY,
      random: () => 1 - Number.EPSILON,
      onOutcome: log.record,
      ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
      ...(opts.maxPending !== undefined && { maxPending: opts.maxPending }),
      ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
    });
    senders.push(s);
    return { s, clock, log };
  }

  test('POSTs the event as JSON with its headers and a signature that verifies (and only with the secret)', async () => {
    const base = http.requests.length;
    const { s, log } = sender();
    const id = s.send(MESSAGE);
    const [req] = (await http.waitForRequests(base + 1)).slice(base);
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/hook');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], `openum/${VERSION}`);
    assert.equal(req.headers['x-openum-event'], 'message.deposited');
    assert.equal(req.headers['x-openum-delivery'], id);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(req.body.toString('utf8')), {
      event: 'message.deposited',
      message: {
        id: 'AbC-123_xyz',
        mailbox: 'alice',
        from: '+15551234567',
        fromName: 'Bob "B" Smith',
        receivedAt: '2024-05-01T11:59:50.250Z',
        durationMs: 7_040,
        urgent: true,
        reason: 'busy',
        origin: 'call',
        audioUrl: 'http://vm.example.com:8080/api/v1/messages/AbC-123_xyz/audio',
      },
    });
    const sig = req.headers['x-openum-signature'] as string;
    const hmac = createHmac('sha256', SECRET).update('1714564800.').update(req.body).digest('hex');
    assert.equal(sig, `t=1714564800,v1=${hmac}`);
    assert.ok(verifyWebhookSignature(SECRET, sig, req.body, START + 1_000));
    assert.ok(verifyWebhookSignature(SECRET, sig, req.body.toString('utf8'), START));
    assert.ok(!verifyWebhookSignature('another-secret-0123', sig, req.body, START), 'wrong secret');
    const tampered = Buffer.from(req.body.toString('utf8').replace('"urgent":true', '"urgent":false'));
    assert.ok(!verifyWebhookSignature(SECRET, sig, tampered, START), 'changed body');
    assert.ok(!verifyWebhookSignature(SECRET, sig, req.body, START + 301_000), 'too old');
    assert.equal((await log.nth(1)).outcome, 'delivered');
    assert.equal(s.pending, 0);
  });

  test('500 then 200: retried after the back-off, same delivery id, signed anew', async () => {
    const base = http.requests.length;
    const { s, clock, log } = sender();
    http.reply({ status: 500 }, { status: 503 }, { status: 200 });
    const id = s.send(MESSAGE);
    await http.waitForRequests(base + 1);
    assert.deepEqual(await log.nth(1), {
      outcome: 'retry',
      detail: { deliveryId: id, messageId: MESSAGE.id, attempt: 1, reason: 'HTTP 500', delayMs: 1_000 },
    });
    clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(http.requests.length, base + 1, 'not before the back-off');
    clock.advance(1);
    await http.waitForRequests(base + 2);
    assert.equal((await log.nth(2)).detail.delayMs, 2_000);
    clock.advance(2_000);
    const reqs = (await http.waitForRequests(base + 3)).slice(base);
    assert.equal((await log.nth(3)).outcome, 'delivered');
    assert.deepEqual(
      reqs.map((r) => r.headers['x-openum-delivery']),
      [id, id, id],
    );
    assert.deepEqual(
      reqs.map((r) => /t=(\d+)/.exec(r.headers['x-openum-signature'] as string)?.[1]),
      ['1714564800', '1714564801', '1714564803'],
    );
    const last = reqs[2];
    assert.ok(
      last && verifyWebhookSignature(SECRET, last.headers['x-openum-signature'] as string, last.body, START + 3_000),
    );
  });

  test('400 gives up at once; a redirect is not followed', async () => {
    const base = http.requests.length;
    const { s, log } = sender();
    http.reply({ status: 400 });
    s.send(MESSAGE);
    assert.deepEqual([(await log.nth(1)).outcome, (await log.nth(1)).detail.reason], ['failed', 'HTTP 400']);
    http.reply({ status: 302, headers: { location: '/elsewhere' } });
    s.send(MESSAGE);
    assert.deepEqual([(await log.nth(2)).outcome, (await log.nth(2)).detail.reason], ['failed', 'HTTP 302']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(http.requests.length, base + 2);
    assert.deepEqual(
      http.requests.slice(base).map((r) => r.url),
      ['/hook', '/hook'],
    );
  });

  test('429 with Retry-After: 30 waits 30 s, not the 1 s back-off', async () => {
    const base = http.requests.length;
    const { s, clock, log } = sender();
    http.reply({ status: 429, headers: { 'retry-after': '30' } });
    s.send(MESSAGE);
    assert.equal((await log.nth(1)).detail.delayMs, 30_000);
    clock.advance(29_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(http.requests.length, base + 1);
    clock.advance(1_000);
    await http.waitForRequests(base + 2);
    assert.equal((await log.nth(2)).outcome, 'delivered');
  });

  test('connection refused and timeouts are retried until the attempts run out', async () => {
    const { s, clock, log } = sender({ url: `http://127.0.0.1:${await closedPort()}/hook` });
    s.send(MESSAGE);
    for (let n = 1; n <= 3; n++) {
      const o = await log.nth(n);
      assert.equal(o.outcome, 'retry');
      assert.equal(o.detail.reason, 'ECONNREFUSED');
      clock.advance(o.detail.delayMs ?? 0);
    }
    const last = await log.nth(4);
    assert.equal(last.outcome, 'failed');
    assert.equal(last.detail.reason, 'ECONNREFUSED (after 4 attempts)');

    const hanging = sender({ timeoutMs: 200 });
    http.reply({ hang: true });
    hanging.s.send(MESSAGE);
    const t = await hanging.log.nth(1);
    assert.deepEqual([t.outcome, t.detail.reason], ['retry', 'timed out']);
    hanging.clock.advance(t.detail.delayMs ?? 0);
    assert.equal((await hanging.log.nth(2)).outcome, 'delivered');
  });

  test('stop() aborts a request under way and cancels the retry timers', async () => {
    const base = http.requests.length;
    const closed = http.closedSockets;
    const { s, clock, log } = sender();
    http.reply({ status: 500 }, { hang: true });
    s.send(MESSAGE);
    await log.nth(1);
    assert.equal(clock.pending, 1, 'a retry is waiting');
    clock.advance(1_000);
    await http.waitForRequests(base + 2);
    s.stop();
    assert.equal(clock.pending, 0);
    for (let i = 0; i < 100 && http.closedSockets === closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(http.closedSockets > closed, 'the hanging request was aborted, not left to its 10 s timeout');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(log.outcomes, ['retry'], 'nothing reported after stop');
  });

  test('the queue is bounded: beyond it the oldest waiting delivery is dropped and counted', async () => {
    const { s, log } = sender({ url: `http://127.0.0.1:${await closedPort()}/hook`, maxPending: 2, concurrency: 1 });
    s.send({ ...MESSAGE, id: 'one' });
    await log.nth(1); // 'one' waits for its retry
    s.send({ ...MESSAGE, id: 'two' });
    s.send({ ...MESSAGE, id: 'three' });
    const dropped = log.events.find((e) => e.outcome === 'dropped');
    assert.equal(dropped?.detail.messageId, 'one');
    assert.equal(s.dropped, 1);
    assert.ok(s.pending <= 2);
    s.stop();
    assert.equal(s.pending, 0);
  });
});
