import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../../src/app/config.js';
import { UsageError } from '../../../../src/app/errors.js';
import { isEmailAddress, parseSender } from '../../../../src/app/notify/email-address.js';

describe('serve --webhook, --webhook-secret, --smtp, --smtp-from', () => {
  test('off by default; the sender defaults to openum@DOMAIN', () => {
    assert.deepEqual(resolveConfig({ domain: 'Example.COM' }, undefined, {}).notify, {
      webhook: null,
      webhookSecret: null,
      smtp: null,
      smtpFrom: 'openum@example.com',
    });
  });

  test('flags, and the environment for the secret', () => {
    const c = resolveConfig(
      { webhook: 'https://hooks.example.com/openum?x=1', smtp: 'smtps://u:p%40ss@mail.example.com:465' },
      undefined,
      { OPENUM_WEBHOOK_SECRET: 'a-long-enough-secret', OPENUM_SMTP_FROM: 'Voicemail <vm@example.com>' },
    );
    assert.deepEqual(c.notify, {
      webhook: 'https://hooks.example.com/openum?x=1',
      webhookSecret: 'a-long-enough-secret',
      smtp: 'smtps://u:p%40ss@mail.example.com:465',
      smtpFrom: 'Voicemail <vm@example.com>',
    });
    assert.equal(resolveConfig({ smtp: 'smtp://127.0.0.1:2525' }, undefined, {}).notify.smtp, 'smtp://127.0.0.1:2525');
  });

  test('refused with a UsageError', () => {
    for (const [flags, pattern] of [
      [{ webhook: 'ftp://example.com/x' }, /--webhook.*use http:\/\/HOST\.\.\. or https:\/\/HOST\.\.\./],
      [{ webhook: 'example.com/hook' }, /--webhook: "example.com\/hook" is not a URL/],
      [{ webhook: 'https://user:pw@example.com/hook' }, /no user:password/],
      [{ smtp: 'http://mail.example.com' }, /--smtp.*use smtp:\/\/HOST\.\.\. or smtps:\/\/HOST\.\.\./],
      [{ smtp: 'mail.example.com:25' }, /--smtp/],
      [{ webhook: 'http://x.example', webhookSecret: 'short' }, /webhookSecret: at least 16/],
      [{ webhookSecret: 'a-long-enough-secret' }, /--webhook-secret goes with --webhook/],
      [{ smtpFrom: 'vm@example.com' }, /--smtp-from goes with --smtp/],
      [{ smtp: 'smtp://m.example', smtpFrom: 'not an address' }, /--smtp-from/],
      [{ smtp: 'smtp://m.example', smtpFrom: 'vm@example.com\r\nBcc: x@y.z' }, /--smtp-from/],
    ] as const) {
      assert.throws(
        () => resolveConfig(flags, undefined, {}),
        (e: unknown) => {
          assert.ok(e instanceof UsageError, String(e));
          assert.match(e.message, pattern);
          return true;
        },
      );
    }
  });

  test('addresses: bare addr-spec for users; a sender may have a plain display name', () => {
    for (const ok of ['a@b', 'alice@example.com', "o'brien+vm@mail.example.co.uk", 'x.y.z@a-b.example'])
      assert.ok(isEmailAddress(ok), ok);
    for (const bad of ['', 'a', 'a@', '@b', 'a..b@c', '.a@c', 'a b@c', 'a@b..c', 'a@-b', 'a@b-', '"a"@b', 'a@b\n'])
      assert.ok(!isEmailAddress(bad), JSON.stringify(bad));
    assert.deepEqual(parseSender('Voice Mail <vm@example.com>'), { name: 'Voice Mail', address: 'vm@example.com' });
    assert.deepEqual(parseSender('<vm@example.com>'), { name: null, address: 'vm@example.com' });
    assert.deepEqual(parseSender('vm@example.com'), { name: null, address: 'vm@example.com' });
    for (const bad of ['"Q" <vm@example.com>', 'A <b <vm@example.com>>', 'A\r\n <vm@example.com>', 'A <vm>'])
      assert.equal(parseSender(bad), undefined, bad);
  });
});
