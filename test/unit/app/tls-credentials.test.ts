import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateTlsCredentials, TlsCredentialsError } from '../../../src/app/tls-credentials.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'openum-tls-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('loadOrCreateTlsCredentials', () => {
  test('generates a self-signed pair once, key 0600, then reuses it', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateTlsCredentials(dir, { hostnames: ['sip.example.test', '127.0.0.1'] });
    assert.equal(first.generated, true);
    const x = new X509Certificate(first.cert);
    assert.ok(x.checkPrivateKey(createPrivateKey(first.key)));
    assert.match(x.subject, /CN=sip\.example\.test/);
    assert.match(x.subjectAltName ?? '', /DNS:sip\.example\.test/);
    assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(new Date(x.validTo).getTime() > Date.now() + 365 * 24 * 3600 * 1000);
    const keyStat = await stat(join(dir, 'tls', 'key.pem'));
    assert.equal(keyStat.mode & 0o777, 0o600);
    assert.ok((await readFile(join(dir, 'tls', 'cert.pem'))).equals(first.cert));
    const second = await loadOrCreateTlsCredentials(dir);
    assert.equal(second.generated, false);
    assert.ok(second.cert.equals(first.cert));
    assert.ok(second.key.equals(first.key));
  });

  test('explicit files are used; half a pair or a mismatch is a clear error', async () => {
    const a = await tempDir();
    const b = await tempDir();
    const pa = await loadOrCreateTlsCredentials(a);
    const pb = await loadOrCreateTlsCredentials(b);
    const explicit = await loadOrCreateTlsCredentials(b, {
      certFile: join(a, 'tls', 'cert.pem'),
      keyFile: join(a, 'tls', 'key.pem'),
    });
    assert.equal(explicit.generated, false);
    assert.ok(explicit.cert.equals(pa.cert));
    await assert.rejects(loadOrCreateTlsCredentials(b, { certFile: join(a, 'tls', 'cert.pem') }), TlsCredentialsError);
    await assert.rejects(
      loadOrCreateTlsCredentials(b, { certFile: join(a, 'tls', 'cert.pem'), keyFile: join(b, 'tls', 'key.pem') }),
      (e: unknown) => e instanceof TlsCredentialsError && /does not match/.test(e.message),
    );
    await assert.rejects(
      loadOrCreateTlsCredentials(b, { certFile: join(a, 'nope.pem'), keyFile: join(a, 'tls', 'key.pem') }),
      TlsCredentialsError,
    );
    assert.ok(pb.cert.length > 0);
  });

  test('a data dir with only one of the files, or garbage, is refused', async () => {
    const d = await tempDir();
    await mkdir(join(d, 'tls'));
    await writeFile(join(d, 'tls', 'cert.pem'), 'not a cert');
    await assert.rejects(
      loadOrCreateTlsCredentials(d),
      (e: unknown) => e instanceof TlsCredentialsError && /without key\.pem/.test(e.message),
    );
    await writeFile(join(d, 'tls', 'key.pem'), 'not a key');
    await assert.rejects(
      loadOrCreateTlsCredentials(d),
      (e: unknown) => e instanceof TlsCredentialsError && /not a PEM certificate/.test(e.message),
    );
  });
});
