import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src/app/config.js';
import { UsageError } from '../../../src/app/errors.js';
import { parseHostPort } from '../../../src/app/host-port.js';

describe('configuration layers (CONTRACT.md: flags win over OPENUM_* over --config over defaults)', () => {
  test('defaults', () => {
    const c = resolveConfig({}, undefined, {});
    assert.equal(c.domain, 'localhost');
    assert.deepEqual(c.sip, { host: '0.0.0.0', port: 5060 });
    assert.deepEqual(c.http, { host: '0.0.0.0', port: 8080 });
    assert.equal(c.sips, null);
    assert.deepEqual(c.authAlgorithms, ['MD5']);
  });

  test('file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openum-cfg-'));
    const file = join(dir, 'openum.yaml');
    writeFileSync(file, 'domain: file.example\nsip: 127.0.0.1:5070\nhttp: 127.0.0.1:9000\ntrust: 10.0.0.0/8\n');
    const c = resolveConfig({ http: '127.0.0.1:9100' }, file, { OPENUM_SIP: '127.0.0.1:5080' });
    assert.equal(c.domain, 'file.example');
    assert.equal(c.sip.port, 5080);
    assert.equal(c.http.port, 9100);
    assert.deepEqual(c.trust, ['10.0.0.0/8']);
  });

  test('bad input is a UsageError naming the setting', () => {
    assert.throws(
      () => resolveConfig({ sip: 'nonsense' }, undefined, {}),
      (e: unknown) => e instanceof UsageError && /--sip/.test(e.message),
    );
    assert.throws(() => resolveConfig({ domain: 'bad domain' }, undefined, {}), UsageError);
    assert.throws(() => resolveConfig({ trust: ['300.1.1.1/8'] }, undefined, {}), /--trust/);
    assert.throws(() => resolveConfig({ tlsCert: 'a.pem' }, undefined, {}), /go together/);
    assert.throws(() => resolveConfig({}, '/nonexistent/openum.yaml', {}), /--config/);
    assert.throws(() => resolveConfig({}, undefined, { OPENUM_LOG_LEVEL: 'loud' }), /environment/);
  });

  test('HOST:PORT forms', () => {
    assert.deepEqual(parseHostPort('[::1]:5060', 'x'), { host: '::1', port: 5060 });
    assert.deepEqual(parseHostPort('5070', 'x'), { host: '0.0.0.0', port: 5070 });
    assert.deepEqual(parseHostPort('127.0.0.1:0', 'x'), { host: '127.0.0.1', port: 0 });
    assert.throws(() => parseHostPort('::1:5060', 'x'), UsageError);
    assert.throws(() => parseHostPort('h:70000', 'x'), UsageError);
  });

  test('voicemail settings: Asterisk-like defaults in ms; flags (seconds) and OPENUM_* override; bad values are usage errors', () => {
    const d = resolveConfig({}, undefined, {}).voicemail;
    assert.deepEqual(d, {
      rtpPorts: { lo: 10000, hi: 20000 },
      mediaAddress: null,
      maxCalls: 500,
      prompts: null,
      maxMessageMs: 180_000,
      minMessageMs: 2000,
      maxSilenceMs: 10_000,
      maxMessages: 100,
      pilot: 'voicemail',
      rtpTimeoutMs: 30_000,
      idleRtp: 'keepalive',
    });
    const c = resolveConfig({ rtpPorts: '30000-30100', maxMessage: 60, pilot: 'vm' }, undefined, {
      OPENUM_MAX_CALLS: '7',
      OPENUM_MEDIA_ADDRESS: '203.0.113.5',
    }).voicemail;
    assert.deepEqual(
      [c.rtpPorts, c.maxMessageMs, c.pilot, c.maxCalls, c.mediaAddress],
      [{ lo: 30000, hi: 30100 }, 60_000, 'vm', 7, '203.0.113.5'],
    );
    assert.throws(() => resolveConfig({ rtpPorts: '20000-10000' }, undefined, {}), UsageError);
    assert.throws(() => resolveConfig({ mediaAddress: 'example.com' }, undefined, {}), UsageError);
    assert.throws(() => resolveConfig({ minMessage: 10, maxMessage: 5 }, undefined, {}), UsageError);
    assert.throws(() => resolveConfig({ pilot: 'a b' }, undefined, {}), UsageError);
    assert.equal(resolveConfig({ idleRtp: 'none' }, undefined, {}).voicemail.idleRtp, 'nothing');
    assert.equal(resolveConfig({}, undefined, {}).allowInsecureBasic, false);
    assert.equal(resolveConfig({ allowInsecureBasic: true }, undefined, {}).allowInsecureBasic, true);
    assert.equal(resolveConfig({}, undefined, { OPENUM_ALLOW_INSECURE_BASIC: '1' }).allowInsecureBasic, true);
    assert.equal(resolveConfig({}, undefined, { OPENUM_ALLOW_INSECURE_BASIC: 'false' }).allowInsecureBasic, false);
    assert.throws(() => resolveConfig({}, undefined, { OPENUM_ALLOW_INSECURE_BASIC: 'yes' }), UsageError);
    assert.equal(resolveConfig({}, undefined, { OPENUM_IDLE_RTP: 'silence' }).voicemail.idleRtp, 'silence');
    assert.throws(() => resolveConfig({ idleRtp: 'comfort-noise' as 'none' }, undefined, {}), UsageError);
  });
});
