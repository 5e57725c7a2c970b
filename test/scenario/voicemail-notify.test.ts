/**
 * A stored message is announced (a real `openum serve`): a deposit over the
 * REST API brings a signed webhook POST (HMAC verified with the secret we
 * gave) whose audio URL serves the message, and an e-mail to the user's
 * --email with the WAV attached, through a real SMTP server (smtp-server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { HttpCapture } from '../support/http-capture.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { verifyWebhookSignature } from '../../src/app/notify/webhook-signature.js';
import { writeWav } from '../../src/media/wav.js';

const SECRET = 'a-webhook-secret-of-some-length';

describe('deposit notifications (webhook and e-mail)', { timeout: 60_000 }, () => {
  let server: OpenumServer | undefined;
  let hook: HttpCapture | undefined;
  let smtp: SmtpCapture | undefined;
  before(async () => {
    hook = await HttpCapture.start();
    smtp = await SmtpCapture.start();
    server = await startOpenum({
      users: [{ name: 'fay', password: 'fay-secret', extraArgs: ['--email', 'fay@example.com'] }],
      extraArgs: [
        '--webhook',
        hook.url,
        '--webhook-secret',
        SECRET,
        '--smtp',
        `smtp://127.0.0.1:${smtp.port}`,
        '--rtp-ports',
        '35000-35099',
      ],
    });
  });
  after(async () => {
    await server?.stop();
    await hook?.close();
    await smtp?.close();
  });

  test('an API deposit: webhook signed, its audio URL works, the e-mail carries the WAV', async () => {
    assert.ok(server && hook && smtp);
    const base = `http://${server.address('http')}`;
    const auth = `Basic ${Buffer.from('fay:fay-secret').toString('base64')}`;
    const wav = writeWav({ sampleRate: 8000, samples: new Int16Array(3 * 8000).fill(1000) });
    const res = await fetch(`${base}/api/v1/mailboxes/fay/messages?from=5551234`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'audio/wav' },
      body: wav,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const stored = (await res.json()) as { id: string };
    const [req] = await hook.waitForRequests(1, 10_000);
    assert.ok(req);
    const sig = String(req.headers['x-openum-signature'] ?? '');
    assert.ok(verifyWebhookSignature(SECRET, sig, req.body, Date.now()), `signature ${sig}`);
    assert.equal(verifyWebhookSignature('another-secret-entirely', sig, req.body, Date.now()), false);
    const event = JSON.parse(req.body.toString('utf8')) as { event: string; message: { id: string; audioUrl: string } };
    assert.equal(event.event, 'message.deposited');
    assert.equal(event.message.id, stored.id);
    const audio = await fetch(event.message.audioUrl, { headers: { authorization: auth } });
    assert.equal(audio.status, 200);
    assert.equal(Buffer.from(await audio.arrayBuffer()).length, wav.length);
    const [mail] = await smtp.waitForMails(1, 10_000);
    assert.ok(mail);
    assert.deepEqual(mail.to, ['fay@example.com']);
    const raw = mail.raw.toString('latin1');
    assert.match(raw, /Subject: New voice message from 5551234/);
    assert.match(raw, /Content-Type: audio\/wav/i);
  });
});
