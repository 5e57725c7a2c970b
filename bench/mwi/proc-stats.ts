/**
 * Linux /proc readings for the MWI benchmark: CPU seconds of a process tree
 * (utime+stime of the process and every descendant, as the Kamailio anchor's
 * bench.sh sums over kamailio's main process and its children), VmRSS, UDP
 * receive drops and whole-machine busy/idle ticks.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (getconf CLK_TCK, 100 in practice). */
export function clkTck(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface StatLine {
  pid: number;
  ppid: number;
  /** utime + stime, in ticks (all threads of the process) */
  ticks: number;
  /** cutime + cstime: reaped children, in ticks */
  childTicks: number;
}

function parseStat(pid: number, text: string): StatLine | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // after "(comm) ": field 3 = state, 4 = ppid, 14 = utime, 15 = stime, 16 = cutime, 17 = cstime
  const f = text.slice(close + 2).split(' ');
  const n = (field: number): number => Number(f[field - 3]) || 0;
  return { pid, ppid: n(4), ticks: n(14) + n(15), childTicks: n(16) + n(17) };
}

async function readStat(pid: number | 'self'): Promise<StatLine | undefined> {
  try {
    return parseStat(pid === 'self' ? process.pid : pid, await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

async function allStats(): Promise<StatLine[]> {
  const out: StatLine[] = [];
  for (const name of await readdir('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = await readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The PIDs of `root` and all its live descendants. */
export async function processTree(root: number): Promise<number[]> {
  const stats = await allStats();
  const kids = new Map<number, number[]>();
  for (const s of stats) {
    let list = kids.get(s.ppid);
    if (!list) kids.set(s.ppid, (list = []));
    list.push(s.pid);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    if (!stats.some((s) => s.pid === p)) continue;
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) used so far by `root` and its live descendants. */
export async function treeCpuSeconds(root: number): Promise<number> {
  let ticks = 0;
  for (const pid of await processTree(root)) ticks += (await readStat(pid))?.ticks ?? 0;
  return ticks / clkTck();
}

/** CPU seconds of this process's reaped children (the SIPp runs that finished). */
export async function reapedChildrenCpuSeconds(): Promise<number> {
  return ((await readStat('self'))?.childTicks ?? 0) / clkTck();
}

/** CPU seconds of one process (0 when it is gone). */
export async function pidCpuSeconds(pid: number): Promise<number> {
  return ((await readStat(pid))?.ticks ?? 0) / clkTck();
}

/** VmRSS of a process in bytes (0 when it is gone). */
export async function vmRssBytes(pid: number): Promise<number> {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** System-wide UDP receive drops: RcvbufErrors + InErrors (/proc/net/snmp). */
export async function udpDrops(): Promise<number> {
  try {
    const lines = (await readFile('/proc/net/snmp', 'utf8')).split('\n').filter((l) => l.startsWith('Udp:'));
    const names = (lines[0] ?? '').split(/\s+/);
    const values = (lines[1] ?? '').split(/\s+/);
    const get = (n: string): number => Number(values[names.indexOf(n)] ?? 0) || 0;
    return get('RcvbufErrors') + get('InErrors');
  } catch {
    return 0;
  }
}

/** Whole-machine busy and idle ticks (/proc/stat, first line). */
export async function machineTicks(): Promise<{ busy: number; idle: number }> {
  try {
    const first = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const v = first.trim().split(/\s+/).slice(1).map(Number);
    const at = (i: number): number => v[i] ?? 0;
    // user nice system idle iowait irq softirq steal
    return { busy: at(0) + at(1) + at(2) + at(5) + at(6) + at(7), idle: at(3) + at(4) };
  } catch {
    return { busy: 0, idle: 0 };
  }
}

/** Cores busy on the whole machine over the next `ms` milliseconds. */
export async function busyCores(ms: number): Promise<number> {
  const a = await machineTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = await machineTicks();
  return (b.busy - a.busy) / clkTck() / (ms / 1000);
}

/** Total waiting for quiet in one run, so that a busy host cannot stretch the run without bound. */
let quietBudgetMs = 180_000;

/**
 * Wait (at most `maxMs`) until the machine is quiet: fewer than `threshold`
 * cores busy over half a second. Other sessions share this host; a step
 * measured while they compile is not a measurement of the server. Returns
 * the last reading and how long it waited.
 */
export async function waitForQuiet(threshold = 0.3, maxMs = 30_000): Promise<{ cores: number; waitedMs: number }> {
  const t0 = Date.now();
  const limit = Math.min(maxMs, quietBudgetMs);
  let cores = await busyCores(500);
  while (cores >= threshold && Date.now() - t0 < limit) cores = await busyCores(500);
  const waitedMs = Date.now() - t0;
  quietBudgetMs = Math.max(0, quietBudgetMs - Math.max(0, waitedMs - 500));
  return { cores, waitedMs };
}
