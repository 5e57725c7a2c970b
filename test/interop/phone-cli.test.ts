/**
 * `openum phone` against `openum serve`, both as real processes: over UDP,
 * TCP, TLS and WebSocket in the RFC 3842 dialect and over TCP in the Lync
 * dialect, the lamp set with the offline `openum mwi set` shows up as one
 * line; Ctrl-C (SIGINT/SIGTERM) unsubscribes and unregisters and exits 0;
 * a wrong password, an unreachable server and bad flags exit 2 with one
 * line on stderr; a vanished server still lets the phone exit 0 in time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ManagedProcess, describeRun, type ExitStatus } from '../support/child-process.js';
import { cliPath, repoRoot, runCli, startOpenum, type OpenumServer } from '../support/openum-process.js';
import { freePort } from '../support/ports.js';

const USERS = [
  { name: 'alice', password: 'secret' },
  { name: 'bob', password: 'hunter2' },
  { name: 'carol', password: 'carol-pw' },
  { name: 'dave', password: 'sesame' },
  { name: 'erin', password: 'opensesame' },
] as const;

/** `openum phone ARGS` as a child process. */
function phone(args: readonly string[]): ManagedProcess {
  return new ManagedProcess(process.execPath, [cliPath(), 'phone', ...args], { cwd: repoRoot() });
}

/** Wait for a stdout line; fail with everything the phone printed. */
async function line(p: ManagedProcess, expected: string | RegExp, ms = 15_000): Promise<string> {
  const find = (out: string): string | undefined =>
    out.split('\n').find((l) => (typeof expected === 'string' ? l === expected : expected.test(l)));
  const ok = await p.waitFor((out) => find(out) !== undefined, ms);
  assert.ok(
    ok,
    `no line ${String(expected)} within ${ms} ms\n--- stdout ---\n${p.stdout}\n--- stderr ---\n${p.stderr}`,
  );
  return find(p.stdout) as string;
}

/** SIGINT, and the exit status with how long it took. */
async function interrupt(p: ManagedProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<ExitStatus & { ms: number }> {
  const t0 = Date.now();
  p.child.kill(signal);
  const bound = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  const status = await p.wait();
  clearTimeout(bound);
  return { ...status, ms: Date.now() - t0 };
}

async function health(server: OpenumServer): Promise<{ registrations: number; subscriptions: number }> {
  const res = await fetch(`http://${server.address('http')}/healthz`);
  return (await res.json()) as { registrations: number; subscriptions: number };
}

describe('openum phone against openum serve (real processes)', { timeout: 120_000 }, () => {
  let server: OpenumServer | undefined;
  before(async () => {
    server = await startOpenum({ users: USERS, extraArgs: ['--sips', '127.0.0.1:0'] });
  });
  after(async () => {
    await server?.stop();
  });

  const cases = [
    { transport: 'udp', user: USERS[0], listener: 'udp' },
    { transport: 'tcp', user: USERS[1], listener: 'tcp' },
    { transport: 'tls', user: USERS[2], listener: 'tls' },
    { transport: 'ws', user: USERS[3], listener: 'ws' },
  ] as const;
  for (const c of cases) {
    test(`rfc3842 over ${c.transport}: registered, subscribed, first state, one line per change; SIGINT leaves nothing behind`, async () => {
      assert.ok(server);
      const at = server.address(c.listener);
      const extra = c.transport === 'tls' ? ['--tls-ca', join(server.dataDir, 'tls', 'cert.pem')] : [];
      const p = phone([
        '--server',
        at,
        '--user',
        c.user.name,
        '--password',
        c.user.password,
        '--transport',
        c.transport,
        '--http',
        server.address('http'),
        ...extra,
      ]);
      try {
        await line(p, `mwi ${c.user.name} off new=0 old=0 (rfc3842)`);
        assert.deepEqual(p.stdout.split('\n').slice(0, 3), [
          `registered ${c.user.name} at ${at}`,
          'subscribed (rfc3842)',
          `mwi ${c.user.name} off new=0 old=0 (rfc3842)`,
        ]);
        const set = await server.cli(['mwi', 'set', c.user.name, '--new', '8', '--old', '3']);
        assert.equal(set.code, 0, describeRun('mwi set', set));
        await line(p, `mwi ${c.user.name} on new=8 old=3 (rfc3842)`);
        await server.cli(['mwi', 'set', c.user.name, '--new', '0', '--old', '4']);
        await line(p, `mwi ${c.user.name} off new=0 old=4 (rfc3842)`);
        const lists = (out: string): number => out.split('\n').filter((l) => l.startsWith('messages ')).length;
        assert.ok(await p.waitFor((out) => lists(out) === 3, 10_000), `three message lists:\n${p.stdout}${p.stderr}`);
        const h = await health(server);
        assert.equal(h.registrations, 1);
        assert.equal(h.subscriptions, 1);
        const st = await interrupt(p, c.transport === 'tcp' ? 'SIGTERM' : 'SIGINT');
        assert.equal(st.code, 0, `exit ${String(st.code)} ${String(st.signal)}\n${p.stderr}`);
        assert.ok(st.ms < 5000, `stopped in ${st.ms} ms`);
        assert.equal(p.stderr, '');
        const lines = p.stdout.trim().split('\n');
        assert.equal(lines.filter((l) => !l.startsWith('messages ')).length, 5, p.stdout);
        // after each of the 3 lamp lines, the (empty) list fetched over Autodiscover and EWS
        assert.equal(lines.filter((l) => l.startsWith(`messages ${c.user.name}: 0 (EWS http://`)).length, 3, p.stdout);
        assert.deepEqual(await health(server), { ...h, registrations: 0, subscriptions: 0 });
      } finally {
        await p.stop(2000);
      }
    });
  }

  test('lync over tcp: roaming-self, the category version on every line', async () => {
    assert.ok(server);
    const erin = USERS[4];
    const p = phone([
      '--server',
      server.address('tcp'),
      '--user',
      erin.name,
      '--password',
      erin.password,
      '--transport',
      'tcp',
      '--dialect',
      'lync',
      '--http',
      server.address('http'),
    ]);
    try {
      const first = await line(p, /^mwi erin off new=0 old=0 \(lync, version \d+\)$/);
      assert.deepEqual(p.stdout.split('\n').slice(0, 2), [
        `registered erin at ${server.address('tcp')}`,
        'subscribed (lync)',
      ]);
      const version = Number(/version (\d+)/.exec(first)?.[1]);
      await server.cli(['mwi', 'set', erin.name, '--new', '2', '--old', '1']);
      await line(p, `mwi erin on new=2 old=1 (lync, version ${version + 1})`);
      const st = await interrupt(p);
      assert.equal(st.code, 0, p.stderr);
      assert.equal(p.stderr, '');
    } finally {
      await p.stop(2000);
    }
  });

  test('a wrong password: one line on stderr, exit 2, nothing on stdout', async () => {
    assert.ok(server);
    const r = await runCli(['phone', '--server', server.address('udp'), '--user', 'alice', '--password', 'wrong'], {
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 2, describeRun('phone', r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /403 Forbidden.*check --user and --password/);
  });

  test('an unreachable server and bad flags: one line on stderr, exit 2', async () => {
    const closed = await freePort();
    const runs: [string[], RegExp][] = [
      [
        ['--server', `127.0.0.1:${closed}`, '--user', 'alice', '--password', 'x', '--transport', 'tcp'],
        /cannot reach the server.*ECONNREFUSED/,
      ],
      [
        ['--server', `127.0.0.1:${closed}`, '--user', 'alice', '--password', 'x', '--transport', 'ws'],
        /cannot reach 127\.0\.0\.1:\d+ over ws/,
      ],
      [['--server', '127.0.0.1:5060', '--user', 'alice', '--password', 'x', '--transport', 'sctp'], /transport/],
      [['--server', '127.0.0.1:5060', '--user', 'alice', '--password', 'x', '--dialect', 'cisco'], /dialect/],
      [['--server', '127.0.0.1', '--user', 'alice', '--password', 'x'], /--server/],
      [['--server', '127.0.0.1:5060', '--password', 'x'], /--user/],
    ];
    for (const [args, why] of runs) {
      const r = await runCli(['phone', ...args], { timeoutMs: 20_000 });
      assert.equal(r.code, 2, describeRun(`phone ${args.join(' ')}`, r));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, why);
    }
  });

  test('the server vanishes: Ctrl-C still exits 0 within the bound', async () => {
    const other = await startOpenum({ users: [USERS[0]] });
    const p = phone([
      '--server',
      other.address('udp'),
      '--user',
      'alice',
      '--password',
      'secret',
      '--http',
      other.address('http'),
    ]);
    try {
      await line(p, 'mwi alice off new=0 old=0 (rfc3842)');
      other.process.child.kill('SIGKILL');
      await other.process.wait();
      const st = await interrupt(p);
      assert.equal(st.code, 0, p.stderr);
      assert.ok(st.ms < 6000, `stopped in ${st.ms} ms`);
    } finally {
      await p.stop(2000);
      await other.stop();
    }
  });
});
