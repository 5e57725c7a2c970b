/**
 * Real NTLM clients -> NtlmAuthenticator behind a bare node:http server on
 * 127.0.0.1 (not yet EWS): Python's requests_ntlm (ntlm-auth, Debian
 * `python3-requests-ntlm`, what exchangelib uses) and curl --ntlm, both
 * NTLMv2 over one kept-alive connection (RFC 4559, [MS-NLMP]).
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NtlmAuthenticator, NTLM_OFFER } from '../../src/http/auth/ntlm-authenticator.js';
import { ntlmNamesFor } from '../../src/http/auth/ntlm-messages.js';
import { ntHashSync } from '../../src/http/auth/nt-hash.js';
import { describeRun, runProcess } from '../support/child-process.js';
import { interopRequired, requirePeer } from '../support/peers.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const USERS = new Map([['alice', ntHashSync('s3cret-pw')]]);

/** A python3 that imports requests_ntlm (Debian's lives in /usr/bin's dist-packages), or undefined after skipping. */
function requireRequestsNtlm(t: TestContext): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import requests_ntlm'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return python;
  }
  const reason = 'python3 module requests_ntlm not installed (apt-get install python3-requests-ntlm)';
  if (interopRequired()) throw new Error(`${reason}; OPENUM_REQUIRE_INTEROP=1 makes this a failure`);
  t.skip(reason);
  return undefined;
}

/**
 * ntlm-auth hashes the password with hashlib's MD4, which Debian 12's
 * OpenSSL 3 only has in its legacy provider: the client runs with it enabled.
 */
const OPENSSL_LEGACY = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`;

const CLIENT = `
import sys, requests
from requests_ntlm import HttpNtlmAuth
url, user, password = sys.argv[1:4]
with requests.Session() as s:
    r = s.get(url, auth=HttpNtlmAuth(user, password), timeout=10)
    print(r.status_code, r.text)
`;

describe('NTLM over HTTP with real clients', { timeout: 60_000 }, () => {
  let server: Server | undefined;
  let url = '';
  const outcomes: string[] = [];
  let dir = '';
  let pythonEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    dir = await makeTempDir('ntlm');
    await writeFile(join(dir, 'openssl.cnf'), OPENSSL_LEGACY);
    pythonEnv = { ...process.env, OPENSSL_CONF: join(dir, 'openssl.cnf') };
    const auth = new NtlmAuthenticator({
      lookup: async (user) => USERS.get(user.toLowerCase()),
      names: ntlmNamesFor('example.com'),
    });
    server = createServer((req, res) => {
      void auth.handle(req.socket, req.headers.authorization).then((out) => {
        outcomes.push(out.kind === 'fail' ? `fail: ${out.reason}` : out.kind);
        if (out.kind === 'ok') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${out.user}`);
          return;
        }
        const header = out.kind === 'challenge' ? out.header : NTLM_OFFER;
        res.writeHead(401, { 'www-authenticate': header, 'content-type': 'text/plain' }).end('unauthorized');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/EWS/Exchange.asmx`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) await removeTempDir(dir);
  });

  test('requests_ntlm with the right password gets 200, with a wrong one 401', async (t) => {
    const python = requireRequestsNtlm(t);
    if (!python) return;
    outcomes.length = 0;
    const ok = await runProcess(python, ['-c', CLIENT, url, 'EXAMPLE\\alice', 's3cret-pw'], {
      timeoutMs: 30_000,
      env: pythonEnv,
    });
    assert.equal(ok.stdout.trim(), '200 hello alice', describeRun('requests_ntlm', ok, outcomes.join('\n')));
    assert.deepEqual(outcomes, ['none', 'challenge', 'ok']);
    const upper = await runProcess(python, ['-c', CLIENT, url, 'ALICE', 's3cret-pw'], {
      timeoutMs: 30_000,
      env: pythonEnv,
    });
    assert.equal(upper.stdout.trim(), '200 hello ALICE', describeRun('requests_ntlm', upper, outcomes.join('\n')));
    outcomes.length = 0;
    const bad = await runProcess(python, ['-c', CLIENT, url, 'EXAMPLE\\alice', 'wrong-pw'], {
      timeoutMs: 30_000,
      env: pythonEnv,
    });
    assert.equal(bad.stdout.trim(), '401 unauthorized', describeRun('requests_ntlm', bad, outcomes.join('\n')));
    assert.deepEqual(outcomes, ['none', 'challenge', 'fail: wrong user name or password']);
  });

  test('curl --ntlm with the right password gets 200, with a wrong one 401', async (t) => {
    const curl = requirePeer(t, 'curl');
    if (!curl) return;
    const run = (password: string) =>
      runProcess(curl, ['-s', '--ntlm', '-u', `alice:${password}`, '-w', ' %{http_code}', url], { timeoutMs: 30_000 });
    outcomes.length = 0;
    const ok = await run('s3cret-pw');
    assert.equal(ok.stdout.trim(), 'hello alice 200', describeRun('curl', ok, outcomes.join('\n')));
    assert.deepEqual(outcomes, ['challenge', 'ok']);
    const bad = await run('wrong-pw');
    assert.equal(bad.stdout.trim(), 'unauthorized 401', describeRun('curl', bad, outcomes.join('\n')));
  });
});
