/**
 * The README's own commands, as a newcomer types them: the "See it work" and
 * "Running it" blocks are read from README.md and run in that order on one
 * data folder, with only the listen addresses moved to free loopback ports
 * and `--data` added. After every `serve` each user made so far registers
 * with digest (the README's `openum phone`), and the quick-start's phones
 * see the lamp that `mwi set` lights. Real processes; no peer but openum.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../support/child-process.js';
import { cliPath, repoRoot, runCli } from '../support/openum-process.js';
import { freePort } from '../support/ports.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

/** The shell lines of the first code block after a `## ` heading that starts with `heading`. */
export function readmeBlock(readme: string, heading: string): string[] {
  const at = readme.split('\n').findIndex((l) => l.startsWith(`## ${heading}`));
  assert.ok(at >= 0, `README has no "## ${heading}" section`);
  const rest = readme.split('\n').slice(at + 1);
  const open = rest.findIndex((l) => l.startsWith('```'));
  const close = rest.findIndex((l, i) => i > open && l.startsWith('```'));
  assert.ok(open >= 0 && close > open, `no code block under "## ${heading}"`);
  return rest
    .slice(open + 1, close)
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A README line as argv for the CLI: `npx openum ...` and `npm start` (= package.json's start script). */
export function toArgv(line: string, ports: ReadonlyMap<string, number>): string[] {
  const words = line.split(/\s+/);
  let args: string[];
  if (words[0] === 'npx' && words[1] === 'openum') args = words.slice(2);
  else if (words[0] === 'npm' && words[1] === 'start' && words.length === 2) args = startScriptArgs();
  else throw new Error(`README line not understood by this test: ${line}`);
  // Network tests stay on loopback and free ports; everything else is literal.
  args = args.map((a) => {
    const m = /^(?:0\.0\.0\.0|127\.0\.0\.1):(\d+)$/.exec(a);
    if (!m) return a;
    const port = ports.get(m[1] as string);
    assert.ok(port !== undefined, `no free port mapped for ${a}`);
    return `127.0.0.1:${port}`;
  });
  if (args[0] === 'serve') {
    // `npm start` and a bare `serve` would listen on 0.0.0.0:5060 and :8080
    if (!args.includes('--sip')) args.push('--sip', `127.0.0.1:${String(ports.get('5060'))}`);
    if (!args.includes('--http')) args.push('--http', `127.0.0.1:${String(ports.get('8080'))}`);
  }
  return args;
}

function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /^node dist\/src\/cli\/main\.js\s+(.*)$/.exec(pkg.scripts.start);
  assert.ok(m, `package.json start script changed: ${pkg.scripts.start}`);
  return (m[1] as string).split(/\s+/);
}

describe('the README, followed literally', { timeout: 180_000 }, () => {
  const live: ManagedProcess[] = [];
  let data: string | undefined;
  after(async () => {
    await Promise.all(live.map((p) => p.stop(2000)));
    if (data) await removeTempDir(data);
  });

  /** `openum ARGS --data DIR` as a long-running process. */
  function spawn(args: readonly string[]): ManagedProcess {
    const p = new ManagedProcess(process.execPath, [cliPath(), ...args, '--data', data as string], { cwd: repoRoot() });
    live.push(p);
    return p;
  }

  async function waitLine(p: ManagedProcess, re: RegExp, what: string): Promise<void> {
    const ok = await p.waitFor((out) => re.test(out), 20_000);
    assert.ok(
      ok,
      `${what}: no line ${String(re)}\ncommand: ${p.command}\n--- stdout ---\n${p.stdout}\n--- stderr ---\n${p.stderr}`,
    );
  }

  /** Every user made so far registers with digest against the server just started. */
  async function everyoneRegisters(users: readonly string[], sipPort: number): Promise<void> {
    for (const name of users) {
      const phone = spawn(['phone', '--server', `127.0.0.1:${sipPort}`, '--user', name, '--password', 'secret']);
      await waitLine(phone, new RegExp(`^registered ${name} at `, 'm'), `${name} registers`);
      await phone.stop(5000);
    }
  }

  test('"See it work", then "Running it", in one data folder: every serve lets every user register', async () => {
    data = await makeTempDir('readme');
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    const ports = new Map<string, number>([
      ['5060', await freePort()],
      ['5061', await freePort()],
      ['8080', await freePort()],
    ]);
    const users: string[] = [];
    for (const section of ['See it work', 'Running it']) {
      const lines = readmeBlock(readme, section);
      assert.ok(
        lines.some((l) => / serve\b|npm start/.test(l)),
        `"${section}" starts no server`,
      );
      let server: ManagedProcess | undefined;
      const phones: ManagedProcess[] = [];
      const stopServer = async (): Promise<void> => {
        for (const p of phones.splice(0)) await p.stop(5000);
        await server?.stop(5000);
        server = undefined;
      };
      for (const line of lines) {
        const args = toArgv(line, ports);
        if (args[0] === 'serve') {
          await stopServer(); // the README's serve lines are alternatives on the same ports
          server = spawn(args);
          await waitLine(server, /^openum ready$/m, line);
          await everyoneRegisters(users, ports.get('5060') as number);
        } else if (args[0] === 'phone') {
          const phone = spawn(args);
          phones.push(phone);
          await waitLine(phone, /^subscribed \(/m, line);
        } else {
          const r = await runCli(args, { dataDir: data });
          assert.equal(r.code, 0, `${line} exited ${String(r.code)}\n${r.stdout}\n${r.stderr}`);
          if (args[0] === 'user' && args[1] === 'add') users.push(args[2] as string);
          const set = args[0] === 'mwi' && args[1] === 'set' ? args : undefined;
          if (set) {
            const lamp = new RegExp(`^mwi ${set[2]} on new=${set[4]} old=${set[6]} `, 'm');
            for (const phone of phones) await waitLine(phone, lamp, `${line} seen by ${phone.command}`);
          }
        }
      }
      await stopServer();
    }
    assert.deepEqual(users, ['alice', 'bob'], 'the README adds alice, then bob');
  });
});
