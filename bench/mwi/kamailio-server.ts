/**
 * Kamailio 5.6 presence + presence_mwi, started exactly as the anchor's
 * bench.sh does (shared/anchors/kamailio/): bench/mwi/kamailio.cfg (the
 * anchor's, listen port as a define), `-DD -E -m 3072 -M 16 -x tlsf`,
 * children=2, db_text tables copied from the package, a unix ctl socket for
 * `kamcmd core.shmmem` (the anchor's memory figure: shm in use).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../test/support/child-process.js';
import { findBinary } from '../../test/support/peers.js';
import { repoRoot } from '../../test/support/openum-process.js';
import { processTree, treeCpuSeconds } from './proc-stats.js';
import type { BenchServer } from './bench-server.js';

export interface KamailioOptions {
  kamailio: string;
  kamcmd: string;
  dir: string;
  port: number;
  /** shm MB (-m); the anchor's 3072 */
  shmMb?: number;
  children?: number;
  /** allocator options; the anchor's "-x tlsf" */
  opts?: string[];
}

const DBTEXT = '/usr/share/kamailio/dbtext/kamailio';

/** Every kamailio PID we started, killed on exit if still there (the main process may not reap them when killed hard). */
const known = new Set<number>();

/** SIGKILL a PID only while it is still a kamailio process (never a recycled PID). */
function killKamailio(pid: number): void {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'kamailio') process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  known.delete(pid);
}

const killKnown = (): void => {
  for (const pid of [...known]) killKamailio(pid);
};
process.on('exit', killKnown);
let signalHooks = false;
/** Before test/support/child-process.ts re-raises a signal (no 'exit' event then), kill the kamailio children too. */
function hookSignals(): void {
  if (signalHooks) return;
  signalHooks = true;
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.prependOnceListener(sig, killKnown);
}

function kamcmd(bin: string, sock: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, ['-s', sock, ...args], { timeout: 5000 }, (err, stdout) => resolve(err ? '' : stdout));
  });
}

/** `kamcmd core.shmmem` "used", corrected for the signed 32-bit print above 2 GiB (as bench.sh does). */
async function shmUsed(bin: string, sock: string): Promise<number> {
  const m = /\bused:\s*(-?\d+)/.exec(await kamcmd(bin, sock, ['core.shmmem']));
  if (!m) return 0;
  const v = Number(m[1]);
  return v < 0 ? v + 4294967296 : v;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** What to tell when Kamailio is missing. */
export const KAMAILIO_INSTALL = 'apt-get install kamailio kamailio-presence-modules';

/** `kamailio` and `kamcmd` on PATH, or undefined when either is missing. */
export function kamailioBinaries(): Pick<KamailioOptions, 'kamailio' | 'kamcmd'> | undefined {
  const kamailio = findBinary('kamailio');
  const kamcmd = findBinary('kamcmd');
  return kamailio && kamcmd ? { kamailio, kamcmd } : undefined;
}

/** Start kamailio and wait until its UDP socket and ctl socket are there. */
export async function startKamailio(o: KamailioOptions): Promise<BenchServer> {
  const db = join(o.dir, 'db');
  await mkdir(db, { recursive: true });
  for (const t of ['version', 'presentity', 'active_watchers', 'watchers'])
    await copyFile(join(DBTEXT, t), join(db, t));
  const ctl = `unix:${join(o.dir, 'kamailio_ctl')}`;
  const args = [
    '-DD',
    '-E',
    '-f',
    join(repoRoot(), 'bench', 'mwi', 'kamailio.cfg'),
    '-m',
    String(o.shmMb ?? 3072),
    '-M',
    '16',
    ...(o.opts ?? ['-x', 'tlsf']),
    '-A',
    `CHILDREN=${o.children ?? 2}`,
    '-A',
    `KPORT=${o.port}`,
    '-A',
    `SRVADDR="sip:127.0.0.1:${o.port}"`,
    '-A',
    `DBURL="text://${db}"`,
    '-A',
    `CTLSOCK="${ctl}"`,
    '-Y',
    o.dir,
    '-w',
    o.dir,
  ];
  const proc = new ManagedProcess(o.kamailio, args, { cwd: o.dir });
  const pid = proc.pid ?? -1;
  known.add(pid);
  hookSignals();
  let up = false;
  for (let i = 0; i < 100 && !proc.exitStatus; i++) {
    await sleep(100);
    if (existsSync(join(o.dir, 'kamailio_ctl')) && (await shmUsed(o.kamcmd, ctl)) > 0) {
      up = true;
      break;
    }
  }
  if (!up) {
    await proc.stop(2000);
    throw new Error(`kamailio did not start:\n${proc.command}\n${proc.stderr.slice(-4000)}`);
  }
  await sleep(500);
  for (const p of await processTree(pid)) known.add(p);
  return {
    name: 'Kamailio',
    pid,
    target: `127.0.0.1:${o.port}`,
    authenticates: false,
    memoryLabel: 'shm in use',
    memoryBytes: () => shmUsed(o.kamcmd, ctl),
    cpuSeconds: () => treeCpuSeconds(pid),
    logTail: () => proc.stderr.slice(-3000),
    errorCount: () => (proc.stderr.match(/ERROR/g) ?? []).length,
    async stop(): Promise<void> {
      const tree = await processTree(pid);
      await proc.stop(5000);
      await writeFile(join(o.dir, 'kamailio.log'), proc.stderr).catch(() => undefined);
      await sleep(200);
      for (const p of tree) killKamailio(p);
    },
  };
}
