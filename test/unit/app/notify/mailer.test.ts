import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../../../src/base/clock.js';
import { MessageMailer, type MailOutcomeDetail } from '../../../../src/app/notify/mailer.js';
import type { RetryPolicy } from '../../../../src/app/notify/retry-policy.js';
import { writeWav } from '../../../../src/media/wav.js';
import type { MessageRecord } from '../../../../src/storage/ports.js';
import { OutcomeLog } from '../../../support/outcome-log.js';
import {
  SmtpCapture,
  decodeHeader,
  decodePartBody,
  multipartParts,
  parseMimePart,
} from '../../../support/smtp-capture.js';
import { makeTempDir, removeTempDir } from '../../../support/temp-dir.js';

const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 60_000, maxRetryAfterMs: 600_000 };

const MESSAGE: MessageRecord = {
  id: 'm5Gq7pX2-LkQ_w9Zr1aB3c',
  mailbox: 'alice',
  callerNumber: '+15551234567',
  callerName: 'Bob Smith',
  receivedAt: Date.parse('2024-05-01T11:59:50Z'),
  durationMs: 7_040,
  urgent: false,
  read: false,
  callId: 'call-1@example.com',
  reason: 'busy',
  audioPath: 'alice/m5Gq7pX2-LkQ_w9Zr1aB3c.wav',
  audioBytes: 0,
  origin: 'call',
};

/** 7 s of a sweep at 8 kHz: every byte value shows up, so a broken encoding would show. */
function wav(): Buffer {
  const samples = new Int16Array(8_000 * 7);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(Math.sin(i * i * 1e-4) * 32_000);
  return writeWav({ sampleRate: 8_000, samples });
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('MessageMailer against a real SMTP server (smtp-server)', () => {
  let smtp: SmtpCapture;
  let dir: string;
  let wavPath: string;
  const audio = wav();
  const mailers: MessageMailer[] = [];
  before(async () => {
    smtp = await SmtpCapture.start({ user: 'openum', pass: 's3cret pass' });
    dir = await makeTempDir('mailer');
    wavPath = join(dir, 'msg.wav');
    await writeFile(wavPath, audio);
  });
  after(async () => {
    for (const m of mailers) m.stop();
    await smtp.close();
    await removeTempDir(dir);
  });

  function mailer(opts: { url?: string; from?: string } = {}) {
    const clock = new FakeClock();
    const log = new OutcomeLog<MailOutcomeDetail>();
    const m = new MessageMailer({
      smtpUrl: opts.url ?? `smtp://openum:${encodeURIComponent('s3cret pass')}@127.0.0.1:${smtp.port}`,
      from: opts.from ?? 'Voicemail <openum@example.com>',
      clock,
      policy: POLICY,
      random: () => 1 - Number.EPSILON,
      timeouts: { connectMs: 2_000, greetingMs: 2_000, socketMs: 5_000 },
      onOutcome: log.record,
    });
    mailers.push(m);
    return { m, clock, log };
  }

  test('the mail arrives with its subject, text and the WAV attached byte for byte', async () => {
    const base = smtp.mails.length;
    const { m, log } = mailer();
    assert.equal(
      m.send(MESSAGE, { name: 'alice', email: 'alice@example.com', displayName: 'Alice' }, { path: wavPath }),
      true,
    );
    const [mail] = (await smtp.waitForMails(base + 1)).slice(base);
    assert.ok(mail);
    assert.equal(mail.from, 'openum@example.com');
    assert.deepEqual(mail.to, ['alice@example.com']);
    const top = parseMimePart(mail.raw.toString('latin1'));
    assert.equal(
      decodeHeader(top.headers.get('subject') ?? ''),
      'New voice message from Bob Smith <+15551234567> (duration 0:07)',
    );
    assert.equal(top.headers.get('from'), 'Voicemail <openum@example.com>');
    assert.equal(top.headers.get('to'), 'alice@example.com');
    assert.equal(top.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(top.headers.get('x-openum-message-id'), MESSAGE.id);
    assert.match(top.headers.get('content-type') ?? '', /^multipart\/mixed/);
    const [text, att] = multipartParts(top);
    assert.ok(text && att);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    const body = decodePartBody(text).toString('utf8');
    for (const line of [
      'Hello Alice,',
      'From:     Bob Smith <+15551234567>',
      'Received: 2024-05-01 11:59:50 UTC',
      'Duration: 0:07',
      'Mailbox:  alice',
      'Urgent:   no',
      'Reason:   busy',
    ])
      assert.ok(body.includes(line), `${line} in\n${body}`);
    assert.match(att.headers.get('content-type') ?? '', /^audio\/wav; name="?msg-m5Gq7pX2-LkQ_w9Zr1aB3c\.wav"?/);
    assert.match(
      att.headers.get('content-disposition') ?? '',
      /^attachment; filename="?msg-m5Gq7pX2-LkQ_w9Zr1aB3c\.wav"?/,
    );
    assert.equal(att.headers.get('content-transfer-encoding'), 'base64');
    assert.ok(decodePartBody(att).equals(audio), 'the WAV comes out as it went in');
    assert.deepEqual((await log.nth(1)).outcome, 'delivered');
  });

  test('an unknown caller, urgent, bytes instead of a file, a bare sender', async () => {
    const base = smtp.mails.length;
    const { m } = mailer({ from: 'openum@vm.example.com' });
    const withheld = {
      ...MESSAGE,
      callerNumber: null,
      callerName: null,
      urgent: true,
      durationMs: 65_400,
      reason: null,
    };
    m.send(withheld, { name: 'alice', email: 'alice@example.com' }, { bytes: audio });
    const [mail] = (await smtp.waitForMails(base + 1)).slice(base);
    const top = parseMimePart(mail?.raw.toString('latin1') ?? '');
    assert.equal(
      decodeHeader(top.headers.get('subject') ?? ''),
      'Urgent voice message from an unknown caller (duration 1:05)',
    );
    assert.equal(top.headers.get('from'), 'openum@vm.example.com');
    const [text, att] = multipartParts(top);
    const body = decodePartBody(text ?? { headers: new Map(), body: '' }).toString('utf8');
    assert.ok(body.includes('Hello alice,') && body.includes('Urgent:   yes') && !body.includes('Reason:'), body);
    assert.ok(att && decodePartBody(att).equals(audio));
  });

  test('a user without an address: nothing queued, no connection', async () => {
    const connections = smtp.connections;
    const { m, log } = mailer();
    assert.equal(m.send(MESSAGE, { name: 'bob', email: null }, { path: wavPath }), false);
    assert.equal(m.pending, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(smtp.connections, connections);
    assert.equal(log.events.length, 0);
  });

  test('451 (transient) is retried after the back-off; 550 and a refused login give up at once', async () => {
    const base = smtp.mails.length;
    const { m, clock, log } = mailer();
    smtp.dataRefusals.push({ code: 451, text: 'Try again later' });
    m.send(MESSAGE, { name: 'alice', email: 'alice@example.com' }, { path: wavPath });
    const first = await log.nth(1);
    assert.equal(first.outcome, 'retry');
    assert.match(first.detail.reason ?? '', /^451/);
    assert.equal(first.detail.delayMs, 5_000);
    clock.advance(5_000);
    assert.equal((await log.nth(2)).outcome, 'delivered');
    await smtp.waitForMails(base + 1);

    smtp.refusedRecipients.add('nobody@example.com');
    m.send(MESSAGE, { name: 'alice', email: 'nobody@example.com' }, { path: wavPath });
    const refused = await log.nth(3);
    assert.deepEqual([refused.outcome, refused.detail.attempt, refused.detail.to], ['failed', 1, 'nobody@example.com']);
    assert.match(refused.detail.reason ?? '', /550/);

    const wrong = mailer({ url: `smtp://openum:wrong@127.0.0.1:${smtp.port}` });
    wrong.m.send(MESSAGE, { name: 'alice', email: 'alice@example.com' }, { path: wavPath });
    const denied = await wrong.log.nth(1);
    assert.deepEqual([denied.outcome, denied.detail.attempt], ['failed', 1]);
    assert.match(denied.detail.reason ?? '', /535/);
    assert.equal(smtp.mails.length, base + 1);
  });

  test('SMTP server down: retried, then failed', async () => {
    const { m, clock, log } = mailer({ url: `smtp://127.0.0.1:${await closedPort()}` });
    m.send(MESSAGE, { name: 'alice', email: 'alice@example.com' }, { path: wavPath });
    const r1 = await log.nth(1);
    assert.equal(r1.outcome, 'retry');
    assert.match(r1.detail.reason ?? '', /ECONNREFUSED/);
    clock.advance(r1.detail.delayMs ?? 0);
    const r2 = await log.nth(2);
    assert.equal(r2.outcome, 'retry');
    assert.equal(r2.detail.delayMs, 10_000);
    clock.advance(10_000);
    const last = await log.nth(3);
    assert.equal(last.outcome, 'failed');
    assert.match(last.detail.reason ?? '', /after 3 attempts/);
    assert.equal(clock.pending, 0);
  });

  test('stop() aborts a send under way (a server that never greets) and reports nothing more', async () => {
    let closed = false;
    let connected!: () => void;
    const accepted = new Promise<void>((resolve) => (connected = resolve));
    const silent = createServer((socket) => {
      socket.on('close', () => (closed = true));
      socket.on('error', () => undefined);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const addr = silent.address();
    try {
      const { m, log } = mailer({ url: `smtp://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
      m.send(MESSAGE, { name: 'alice', email: 'alice@example.com' }, { bytes: audio });
      await accepted;
      m.stop();
      for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closed, 'the connection was closed at stop, not at the 2 s greeting timeout');
      assert.equal(m.pending, 0);
      assert.deepEqual(log.outcomes, []);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('audio gone before the mail went: given up without connecting', async () => {
    const connections = smtp.connections;
    const { m, log } = mailer();
    m.send(MESSAGE, { name: 'alice', email: 'alice@example.com' }, { path: join(dir, 'deleted.wav') });
    const o = await log.nth(1);
    assert.deepEqual([o.outcome, o.detail.attempt], ['failed', 1]);
    assert.match(o.detail.reason ?? '', /^audio: .*ENOENT/);
    assert.equal(smtp.connections, connections);
  });
});
