/**
 * Start the real `openum serve` as a child process for interop tests and
 * benchmarks, parse its listener lines, run offline CLI commands, and stop
 * it within a bound.
 *
 * Output contract (team brief, "openum serve output"): one line per listener
 * `openum listening <proto> <host:port>[/path]`, then `openum ready`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, runProcess, type ExitStatus, type RunResult } from './child-process.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** One listener as printed by `openum serve`. */
export interface ListenerAddress {
  host: string;
  port: number;
  /** e.g. '/sip' for the WebSocket listener */
  path?: string;
}

/** Listeners by protocol name as printed (udp, tcp, tls, http, ws, wss, ...). */
export type Listeners = Partial<Record<string, ListenerAddress>>;

/** The repository root (works from dist/test/support and dist/bench alike). */
export function repoRoot(): string {
  // this file is <root>/dist/test/support/openum-process.js once compiled
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Path of the compiled CLI entry point. */
export function cliPath(): string {
  return join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
}

function assertCliBuilt(): string {
  const p = cliPath();
  if (!existsSync(p)) throw new Error(`${p} is missing: build first (npm run build)`);
  return p;
}

/**
 * Parse `openum listening <proto> <host:port>[/path]` lines; IPv6 hosts are
 * printed in brackets (`[::1]:5060`) and returned without them.
 */
export function parseListeners(stdout: string): Listeners {
  const out: Listeners = {};
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const m = /^openum listening (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const proto = m[1] as string;
    let rest = m[2] as string;
    let host: string;
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) continue;
      host = rest.slice(1, close);
      rest = rest.slice(close + 1);
    } else {
      const colon = rest.indexOf(':');
      if (colon < 0) continue;
      host = rest.slice(0, colon);
      rest = rest.slice(colon);
    }
    const pm = /^:(\d+)(\/.*)?$/.exec(rest);
    if (!pm) continue;
    const port = Number(pm[1]);
    const entry: ListenerAddress = pm[2] ? { host, port, path: pm[2] } : { host, port };
    out[proto.toLowerCase()] = entry;
  }
  return out;
}

export interface StartOptions {
  /** data directory; a fresh temp dir (removed on stop) when absent */
  dataDir?: string;
  /** --domain; default: the server's default (localhost) */
  domain?: string;
  /** --sip; default 127.0.0.1:0 */
  sip?: string;
  /** --http; default 127.0.0.1:0 */
  http?: string;
  /** users created with `openum user add` before the server starts */
  users?: ReadonlyArray<{ name: string; password: string; extraArgs?: string[] }>;
  /** more `serve` arguments */
  extraArgs?: string[];
  /** bound for `openum ready`; default 20 s */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A running `openum serve`. */
export interface OpenumServer {
  readonly pid: number;
  readonly dataDir: string;
  readonly listeners: Listeners;
  /** '127.0.0.1:PORT' of a listener; throws when it was not printed */
  address(proto: string): string;
  readonly process: ManagedProcess;
  /** run an offline CLI command on this server's data dir */
  cli(args: readonly string[], timeoutMs?: number): Promise<RunResult>;
  /** SIGTERM, SIGKILL after `graceMs`; removes an owned temp data dir */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/**
 * Run `node dist/src/cli/main.js <args> [--data DIR]` to completion within
 * `timeoutMs` (default 30 s).
 */
export function runCli(
  args: readonly string[],
  opts: { dataDir?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const full = [assertCliBuilt(), ...args];
  if (opts.dataDir !== undefined) full.push('--data', opts.dataDir);
  return runProcess(process.execPath, full, { cwd: repoRoot(), timeoutMs: opts.timeoutMs ?? 30_000, env: opts.env });
}

/** `openum user add NAME --password P`, failing with the CLI's output when it exits non-zero. */
export async function addUser(
  dataDir: string,
  name: string,
  password: string,
  extraArgs: readonly string[] = [],
): Promise<void> {
  const r = await runCli(['user', 'add', name, '--password', password, ...extraArgs], { dataDir });
  if (r.code !== 0) {
    throw new Error(
      `openum user add ${name} failed (exit ${String(r.code)}${r.timedOut ? ', timed out' : ''}):\n${r.stdout}\n${r.stderr}`,
    );
  }
}

/**
 * Start `openum serve` on loopback with free ports and wait for `openum ready`.
 * On failure (early exit, timeout) the process is killed and the error carries
 * its stdout and stderr.
 */
export async function startOpenum(opts: StartOptions = {}): Promise<OpenumServer> {
  const cli = assertCliBuilt();
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await makeTempDir('data'));
  try {
    for (const u of opts.users ?? []) await addUser(dataDir, u.name, u.password, u.extraArgs);
  } catch (e) {
    if (ownsDir) await removeTempDir(dataDir);
    throw e;
  }
  const args = [
    cli,
    'serve',
    '--data',
    dataDir,
    '--sip',
    opts.sip ?? '127.0.0.1:0',
    '--http',
    opts.http ?? '127.0.0.1:0',
  ];
  if (opts.domain !== undefined) args.push('--domain', opts.domain);
  args.push(...(opts.extraArgs ?? []));

  const proc = new ManagedProcess(process.execPath, args, { cwd: repoRoot(), env: opts.env });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const ready = await proc.waitFor((out) => /^openum ready\s*$/m.test(out), readyTimeoutMs);
  if (!ready) {
    const status = proc.exitStatus;
    await proc.stop(1000);
    if (ownsDir) await removeTempDir(dataDir);
    const why = status
      ? `exited early (code ${String(status.code)}, signal ${String(status.signal)})`
      : `not ready within ${readyTimeoutMs} ms`;
    throw new Error(
      `openum serve ${why}\ncommand: ${proc.command}\n--- stdout ---\n${proc.stdout}\n--- stderr ---\n${proc.stderr}`,
    );
  }
  const listeners = parseListeners(proc.stdout);
  const pid = proc.pid ?? -1;
  let stopping: Promise<ExitStatus> | undefined;
  return {
    pid,
    dataDir,
    listeners,
    process: proc,
    address(proto: string): string {
      const l = listeners[proto];
      if (!l) throw new Error(`openum printed no '${proto}' listener; stdout was:\n${proc.stdout}`);
      return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
    },
    cli(cliArgs: readonly string[], timeoutMs?: number): Promise<RunResult> {
      return runCli(cliArgs, { dataDir, timeoutMs });
    },
    stop(graceMs = 5000): Promise<ExitStatus> {
      stopping ??= (async () => {
        const status = await proc.stop(graceMs);
        if (ownsDir) await removeTempDir(dataDir);
        return status;
      })();
      return stopping;
    },
  };
}
