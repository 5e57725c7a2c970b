import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DepositNotifications, type NotifyLog } from '../../../../src/app/notify/deposit-notifications.js';
import { WebhookSender } from '../../../../src/app/notify/webhook.js';
import { verifyWebhookSignature } from '../../../../src/app/notify/webhook-signature.js';
import type { NotifyConfig } from '../../../../src/app/config.js';
import type { MessageRecord, SettingsStore } from '../../../../src/storage/ports.js';
import { HttpCapture } from '../../../support/http-capture.js';
import { SmtpCapture, decodeHeader, parseMimePart } from '../../../support/smtp-capture.js';

const MESSAGE: MessageRecord = {
  id: 'dep1',
  mailbox: 'alice',
  callerNumber: '1002',
  callerName: null,
  receivedAt: Date.parse('2024-05-01T12:00:00Z'),
  durationMs: 3_000,
  urgent: false,
  read: false,
  callId: null,
  reason: null,
  audioPath: 'alice/dep1.wav',
  audioBytes: 4,
  origin: 'api',
};
const AUDIO = { bytes: Buffer.from('RIFF') };

class MemorySettings implements SettingsStore {
  readonly map = new Map<string, string>();
  getSetting(key: string): string | undefined {
    return this.map.get(key);
  }
  setSetting(key: string, value: string): void {
    this.map.set(key, value);
  }
}

class MemoryLog implements NotifyLog {
  readonly lines: { level: string; obj: object; msg: string }[] = [];
  debug(obj: object, msg: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
}

/** Resolves once `cond` holds (polled); rejects after `ms`. */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('DepositNotifications: the webhook and the e-mail of a deposit', () => {
  let http: HttpCapture;
  let smtp: SmtpCapture;
  let config: NotifyConfig;
  const all: DepositNotifications[] = [];
  before(async () => {
    http = await HttpCapture.start();
    smtp = await SmtpCapture.start();
    config = {
      webhook: http.url,
      webhookSecret: null,
      smtp: `smtp://127.0.0.1:${smtp.port}`,
      smtpFrom: 'openum@example.com',
    };
  });
  after(async () => {
    for (const n of all) n.stop();
    await http.close();
    await smtp.close();
  });

  test('one deposit: a signed POST and, for a user with an address, a mail; outcomes counted', async () => {
    const settings = new MemorySettings();
    const log = new MemoryLog();
    const counted: string[] = [];
    const n = DepositNotifications.fromConfig(config, {
      settings,
      publicBaseUrl: 'http://127.0.0.1:8080',
      log,
      onOutcome: (channel, outcome) => counted.push(`${channel}:${outcome}`),
    });
    all.push(n);
    assert.ok(n.enabled);
    const [h0, m0] = [http.requests.length, smtp.mails.length];
    n.onDeposit(MESSAGE, { name: 'alice', email: 'alice@example.com' }, AUDIO);
    n.onDeposit({ ...MESSAGE, id: 'dep2' }, { name: 'bob', email: null }, AUDIO);
    const reqs = (await http.waitForRequests(h0 + 2)).slice(h0);
    const mails = (await smtp.waitForMails(m0 + 1)).slice(m0);
    await until(() => counted.length === 3);
    assert.deepEqual(counted.sort(), ['email:delivered', 'webhook:delivered', 'webhook:delivered']);
    const secret = settings.getSetting('webhook-secret') ?? '';
    assert.match(secret, /^[0-9a-f]{64}$/);
    for (const r of reqs)
      assert.ok(verifyWebhookSignature(secret, r.headers['x-openum-signature'] as string, r.body, Date.now()));
    assert.deepEqual(
      reqs.map((r) => (JSON.parse(r.body.toString('utf8')) as { message: { id: string } }).message.id).sort(),
      ['dep1', 'dep2'],
    );
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]?.to, ['alice@example.com']);
    const subject = parseMimePart(mails[0]?.raw.toString('latin1') ?? '').headers.get('subject') ?? '';
    assert.equal(decodeHeader(subject), 'New voice message from 1002 (duration 0:03)');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(smtp.mails.length, m0 + 1, 'bob has no address: no mail');
    const generated = log.lines.filter((l) => l.msg.startsWith('webhook secret generated'));
    assert.equal(generated.length, 1);
    assert.equal(generated[0]?.level, 'info');
    assert.equal((generated[0]?.obj as { webhookSecret?: string }).webhookSecret, secret);

    const again = new MemoryLog();
    const n2 = DepositNotifications.fromConfig(config, { settings, publicBaseUrl: 'http://x', log: again });
    all.push(n2);
    assert.equal(settings.getSetting('webhook-secret'), secret, 'kept across restarts');
    assert.equal(again.lines.length, 0, 'and not logged again');
  });

  test('--webhook-secret wins and is not stored; nothing configured: nothing sent', async () => {
    const settings = new MemorySettings();
    const n = DepositNotifications.fromConfig(
      { ...config, smtp: null, webhookSecret: 'given-secret-0123456789' },
      { settings, publicBaseUrl: 'http://x' },
    );
    all.push(n);
    const h0 = http.requests.length;
    n.onDeposit(MESSAGE, { name: 'alice', email: 'alice@example.com' }, AUDIO);
    const [req] = (await http.waitForRequests(h0 + 1)).slice(h0);
    assert.ok(req);
    assert.ok(
      verifyWebhookSignature(
        'given-secret-0123456789',
        req.headers['x-openum-signature'] as string,
        req.body,
        Date.now(),
      ),
    );
    assert.equal(settings.map.size, 0);
    assert.equal(n.mailer, null);

    const off = DepositNotifications.fromConfig(
      { webhook: null, webhookSecret: null, smtp: null, smtpFrom: 'openum@localhost' },
      { settings, publicBaseUrl: 'http://x' },
    );
    assert.equal(off.enabled, false);
    off.onDeposit(MESSAGE, { name: 'alice', email: 'alice@example.com' }, AUDIO);
    off.stop();
  });

  test('onDeposit never throws into the caller', () => {
    class Broken extends WebhookSender {
      override send(): string {
        throw new Error('broken');
      }
    }
    const broken = new Broken({ url: http.url, secret: 'x'.repeat(16), publicBaseUrl: 'http://x' });
    const n = new DepositNotifications({ webhook: broken });
    assert.doesNotThrow(() => n.onDeposit(MESSAGE, { name: 'alice', email: null }, AUDIO));
    n.stop();
  });
});
