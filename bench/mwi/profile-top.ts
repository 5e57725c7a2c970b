/**
 * Summarise `node --cpu-prof` output (as written with BENCH_MWI_PROFILE):
 *   node dist/bench/mwi/profile-top.js FILE.cpuprofile [TOP] [FROM-TO]
 * prints the functions with the most self time and the most total (inclusive)
 * time, with their source location (dist paths, relative to the repo).
 * FROM-TO (seconds since the profile started) keeps only that window, e.g.
 * one step of the ladder; `timeline` instead prints the busy (non-idle)
 * milliseconds of each second, to find the steps.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The profile keeping only the samples taken between `fromS` and `toS` seconds after its start. */
export function window(p: CpuProfile, fromS: number, toS: number): CpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t / 1e6 >= fromS && t / 1e6 < toS) {
      samples.push(p.samples[i] as number);
      timeDeltas.push(p.timeDeltas[i] ?? 0);
    }
  }
  return { nodes: p.nodes, samples, timeDeltas };
}

/** Busy (non-idle) milliseconds per second of the profile. */
export function timeline(p: CpuProfile): Map<number, number> {
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const busy = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (idle.has(p.samples[i] as number)) continue;
    const s = Math.floor(t / 1e6);
    busy.set(s, (busy.get(s) ?? 0) + d / 1000);
  }
  return busy;
}

function label(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
}

/** Self and inclusive milliseconds per function label. */
export function summarise(p: CpuProfile): { totalMs: number; self: Map<string, number>; total: Map<string, number> } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfById = new Map<number, number>();
  let totalMs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    selfById.set(id, (selfById.get(id) ?? 0) + ms);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, ms] of selfById) {
    const node = byId.get(id);
    if (!node) continue;
    const l = label(node.callFrame);
    self.set(l, (self.get(l) ?? 0) + ms);
    // inclusive: count once per distinct label on the stack
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const cl = label(n.callFrame);
      if (seen.has(cl)) continue;
      seen.add(cl);
      total.set(cl, (total.get(cl) ?? 0) + ms);
    }
  }
  return { totalMs, self, total };
}

function top(m: Map<string, number>, n: number, all: number): string[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / all).toFixed(1).padStart(5)}%  ${k}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/mwi/profile-top.js FILE.cpuprofile [TOP] [FROM-TO | timeline]');
    process.exitCode = 2;
  } else {
    const n = Number(process.argv[3] ?? 30);
    const range = process.argv[4];
    let profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    if (range === 'timeline') {
      for (const [sec, ms] of timeline(profile))
        console.log(`${String(sec).padStart(5)} s ${ms.toFixed(0).padStart(5)} ms busy`);
      process.exit(0);
    }
    if (range) {
      const [from, to] = range.split('-').map(Number);
      profile = window(profile, from ?? 0, to ?? Number.POSITIVE_INFINITY);
    }
    const s = summarise(profile);
    console.log(`${file}: ${s.totalMs.toFixed(0)} ms sampled`);
    console.log('self time:');
    console.log(top(s.self, n, s.totalMs).join('\n'));
    console.log('total (inclusive) time:');
    console.log(top(s.total, n, s.totalMs).join('\n'));
  }
}
