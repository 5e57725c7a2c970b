/**
 * `openum serve` for bench:vm, as a process: a fresh data dir with one
 * mailbox per load step (box50, box100, ...) and a `probe` user for the
 * receiver, `--trust 127.0.0.1/32` (SIPp is the PBX: no digest), RTP ports
 * 20000-32000 (below Linux's ephemeral range, where SIPp's and the probe's
 * sockets live), `--max-calls` and `--max-messages` above the largest step,
 * log level warn. The shipped CLI: a `--trust` peer is not held to the
 * voicemail's per-address call rate.
 */
import { join } from 'node:path';
import { addUser } from '../../src/app/user-commands.js';
import { openStorage } from '../../src/app/open-storage.js';
import { ManagedProcess } from '../../test/support/child-process.js';
import { parseListeners, repoRoot } from '../../test/support/openum-process.js';

export const VM_DOMAIN = 'example.test';
export const PROBE_MAILBOX = 'probe';

export interface VmServerOptions {
  dataDir: string;
  /** mailboxes to create (one per step) */
  mailboxes: string[];
  maxCalls: number;
  rtpPorts: string;
  /** node options for the server, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR'] (VM_NODE_ARGS) */
  nodeArgs?: string[];
}

export interface VmServer {
  readonly proc: ManagedProcess;
  readonly pid: number;
  /** SIP over UDP, host:port */
  readonly target: string;
  /** the Prometheus text of /metrics */
  metrics(): Promise<string>;
  /** stderr lines at level error or warn (pino JSON, level >= 40) */
  problems(): string[];
  stop(): Promise<void>;
}

/** Create the step mailboxes and the probe user in a fresh data dir. */
function createUsers(dataDir: string, names: readonly string[]): void {
  const storage = openStorage(dataDir);
  try {
    for (const name of [...names, PROBE_MAILBOX]) {
      const extension = name === PROBE_MAILBOX ? { extension: '1003' } : {};
      addUser(storage, { name, password: `pw-${name}`, domain: VM_DOMAIN, ...extension });
    }
  } finally {
    storage.close();
  }
}

/** A counter or gauge of a Prometheus text, summed over the series whose labels contain `labels`. */
export function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(rest.slice(rest.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

export async function startVmServer(o: VmServerOptions): Promise<VmServer> {
  createUsers(o.dataDir, o.mailboxes);
  const entry = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const args = [
    ...(o.nodeArgs ?? []),
    entry,
    'serve',
    '--data',
    o.dataDir,
    '--domain',
    VM_DOMAIN,
    '--sip',
    '127.0.0.1:0',
    '--http',
    '127.0.0.1:0',
    '--trust',
    '127.0.0.1/32',
    '--rtp-ports',
    o.rtpPorts,
    '--max-calls',
    String(o.maxCalls),
    '--max-messages',
    '100000',
    '--log-level',
    'warn',
  ];
  const proc = new ManagedProcess(process.execPath, args, { cwd: repoRoot() });
  const ok = await proc.waitFor((out) => /^openum ready\s*$/m.test(out), 60_000);
  if (!ok) {
    await proc.stop(1000);
    throw new Error(`openum serve did not get ready\n${proc.command}\n${proc.stdout}\n${proc.stderr.slice(-4000)}`);
  }
  const l = parseListeners(proc.stdout);
  const udp = l['udp'];
  const http = l['http'];
  if (!udp || !http) throw new Error(`openum printed no udp/http listener:\n${proc.stdout}`);
  return {
    proc,
    pid: proc.pid ?? -1,
    target: `127.0.0.1:${udp.port}`,
    async metrics(): Promise<string> {
      const r = await fetch(`http://127.0.0.1:${http.port}/metrics`);
      return r.text();
    },
    problems(): string[] {
      return (proc.stdout + proc.stderr)
        .split('\n')
        .filter((line) => /"level":(4|5|6)0/.test(line) || /\b(ERROR|WARN)\b/.test(line));
    },
    stop: () => proc.stop(10_000).then(() => undefined),
  };
}
