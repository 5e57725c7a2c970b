/**
 * Shared by the `--mwi-target` interop tests:
 * - {@link startUm}: openum in the UM role: the real
 *   `openum serve --mwi-target URI`.
 * - {@link startSippBackground}: a SIPp (UAS or watcher) running while the
 *   test acts, whose `<log>` lines can be awaited.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess, type ExitStatus } from '../support/child-process.js';
import { runCli, startOpenum } from '../support/openum-process.js';
import { freePort, freePortWith } from '../support/ports.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

/** openum acting as the voicemail towards `targets`. */
export interface UmServer {
  readonly mode: 'cli';
  readonly dataDir: string;
  /** '127.0.0.1:PORT' of the UDP/TCP listener */
  readonly sip: string;
  /**
   * Forwarding outcomes so far, `{ 'TARGET OUTCOME': count }`: from the
   * forwarder's callback in process, from `openum_mwi_forward_total` at
   * /metrics with the CLI.
   */
  forwarded(): Promise<Record<string, number>>;
  /** `openum mwi set NAME --new N --old O` on the server's data dir (picked up by the server within 0.5 s) */
  mwiSet(name: string, n: number, o: number): Promise<void>;
  stop(): Promise<void>;
}

export interface UmOptions {
  domain: string;
  targets: string[];
  users: string[];
  /** --trust values */
  trust?: string[];
}

/** Start openum as the UM (see the module documentation). */
export async function startUm(o: UmOptions, diagnostic: (msg: string) => void): Promise<UmServer> {
  const users = o.users.map((name) => ({ name, password: 'secret', extraArgs: ['--domain', o.domain] }));
  const extraArgs = [
    ...o.targets.flatMap((t) => ['--mwi-target', t]),
    ...(o.trust ?? []).flatMap((t) => ['--trust', t]),
  ];
  const server = await startOpenum({ domain: o.domain, users, extraArgs });
  const dataDir = server.dataDir;
  const http = server.address('http');
  diagnostic(`openum serve ${extraArgs.join(' ')} (data ${dataDir})`);
  return {
    mode: 'cli',
    dataDir,
    sip: server.address('udp'),
    forwarded: () => scrapeForwarded(http),
    mwiSet: (name, n, old) => mwiSet(dataDir, name, n, old),
    stop: async () => {
      await server.stop();
    },
  };
}

/** `openum_mwi_forward_total{target="T",outcome="O"} N` lines of /metrics. */
async function scrapeForwarded(http: string): Promise<Record<string, number>> {
  const res = await fetch(`http://${http}/metrics`, { signal: AbortSignal.timeout(5000) });
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('openum_mwi_forward_total{')) continue;
    const target = /target="([^"]*)"/.exec(line)?.[1];
    const outcome = /outcome="([^"]*)"/.exec(line)?.[1];
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (target !== undefined && outcome !== undefined && n > 0) out[`${target.replace(/\\(.)/g, '$1')} ${outcome}`] = n;
  }
  return out;
}

async function mwiSet(dataDir: string, name: string, n: number, o: number): Promise<void> {
  const r = await runCli(['mwi', 'set', name, '--new', String(n), '--old', String(o)], { dataDir });
  if (r.code !== 0) throw new Error(`openum mwi set failed (${String(r.code)}):\n${r.stdout}\n${r.stderr}`);
}

/** A SIPp running in the background. */
export interface BackgroundSipp {
  /** its SIP port (-p) */
  readonly port: number;
  /** the `<log>` lines so far */
  actions(): Promise<string>;
  /** wait until the `<log>` lines match `re`; false after `timeoutMs` or when SIPp exited first */
  waitForAction(re: RegExp, timeoutMs: number): Promise<boolean>;
  /** wait for the exit, killing SIPp after `timeoutMs` */
  finish(timeoutMs: number): Promise<ExitStatus>;
  /** all logs, for assertion messages */
  describe(): Promise<string>;
  stop(): Promise<void>;
}

export interface BackgroundSippOptions {
  scenario: string;
  transport: 'udp' | 'tcp';
  /** remote 'host:port' (a client); none for a server (UAS) */
  target?: string;
  /** calls before exiting (-m) */
  calls: number;
  /** -timeout in seconds, a failure when reached */
  timeoutS: number;
  keys?: Record<string, string>;
}

/**
 * Start SIPp on 127.0.0.1 with free ports, bounded in time and calls
 * (as support/sipp.ts does), tracing messages and `<log>` actions into a
 * temp dir, without waiting for it.
 */
export async function startSippBackground(sippPath: string, o: BackgroundSippOptions): Promise<BackgroundSipp> {
  const workDir = await makeTempDir('sipp');
  const [port, ctlPort, mediaPort] = [await freePort(), await freePort(), await freePortWith([2])];
  const args = [
    ...(o.target !== undefined ? [o.target] : []),
    '-sf',
    o.scenario,
    '-t',
    o.transport === 'tcp' ? 't1' : 'u1',
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-ci',
    '127.0.0.1',
    '-cp',
    String(ctlPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-m',
    String(o.calls),
    '-timeout',
    `${o.timeoutS}s`,
    '-timeout_error',
    '-max_reconnect',
    '0',
    '-nostdin',
    '-nd',
    '-trace_err',
    '-error_file',
    join(workDir, 'errors.log'),
    '-trace_logs',
    '-log_file',
    join(workDir, 'actions.log'),
    '-trace_msg',
    '-message_file',
    join(workDir, 'messages.log'),
  ];
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  const proc = new ManagedProcess(sippPath, args, { cwd: workDir });
  const read = async (f: string): Promise<string> => {
    try {
      return await readFile(join(workDir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const actions = (): Promise<string> => read('actions.log');
  let stopped = false;
  return {
    port,
    actions,
    async waitForAction(re, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (re.test(await actions())) return true;
        // SIPp may write its last <log> line as it exits (after the last call of -m): read once more.
        if (proc.exitStatus) return re.test(await actions());
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async finish(timeoutMs) {
      const timer = setTimeout(() => {
        void proc.stop(1000);
      }, timeoutMs);
      try {
        return await proc.wait();
      } finally {
        clearTimeout(timer);
      }
    },
    async describe() {
      return [
        `SIPp ${o.scenario.split('/').pop() ?? ''} over ${o.transport}: ${JSON.stringify(proc.exitStatus ?? 'running')}`,
        `command: ${proc.command}`,
        `--- stdout ---\n${proc.stdout.slice(-3000)}`,
        `--- stderr ---\n${proc.stderr.slice(-3000)}`,
        `--- SIPp error log ---\n${(await read('errors.log')).slice(-6000)}`,
        `--- SIPp message trace ---\n${(await read('messages.log')).slice(-12000)}`,
        `--- SIPp <log> actions ---\n${(await actions()).slice(-4000)}`,
      ].join('\n');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await proc.stop(2000);
      await removeTempDir(workDir);
    },
  };
}
