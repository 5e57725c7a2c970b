/**
 * SIPp runs for the MWI benchmark, with the anchor's settings
 * (shared/anchors/kamailio/bench.sh): every socket on 127.0.0.1 (`-i`,
 * `-ci`, `-mi`), 4 MB socket buffers (`-buff_size 4194304`), 1 ms pacing for
 * the clients (`-timer_resol 1`), no stdin, bounded by `-timeout` and by a
 * hard kill. Scenario files live in bench/mwi/scenarios/ (not compiled).
 */
import { join } from 'node:path';
import { ManagedProcess, runProcess, type RunResult } from '../../test/support/child-process.js';
import { repoRoot } from '../../test/support/openum-process.js';
import { freePort, freePortWith } from '../../test/support/ports.js';

export const SIPP_BUFFER = 4194304;

/** A scenario of bench/mwi/scenarios/. */
export function mwiScenario(name: string): string {
  return join(repoRoot(), 'bench', 'mwi', 'scenarios', name);
}

export interface SippCommon {
  sipp: string;
  /** work dir: relative files (-inf, logs) are here */
  cwd: string;
  /** local SIP port (-p) */
  port: number;
}

async function localArgs(port: number): Promise<string[]> {
  const [ctl, media] = [await freePort(), await freePortWith([2])];
  return [
    '-i',
    '127.0.0.1',
    '-ci',
    '127.0.0.1',
    '-cp',
    String(ctl),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(media),
    '-p',
    String(port),
  ];
}

export interface UacRun {
  scenario: string;
  target: string;
  calls: number;
  rate: number;
  limit: number;
  recvTimeoutMs: number;
  timeoutS: number;
  /** further arguments (-inf, -key, -trace_*, ...) */
  args: string[];
}

/** Run a SIPp client to completion (killed 15 s after its own -timeout). */
export async function runUac(c: SippCommon, r: UacRun): Promise<RunResult & { command: string }> {
  const args = [
    r.target,
    '-sf',
    r.scenario,
    ...(await localArgs(c.port)),
    '-m',
    String(r.calls),
    '-r',
    String(r.rate),
    '-l',
    String(r.limit),
    '-recv_timeout',
    String(r.recvTimeoutMs),
    '-timeout',
    `${r.timeoutS}s`,
    '-buff_size',
    String(SIPP_BUFFER),
    '-timer_resol',
    '1',
    '-nostdin',
    ...r.args,
  ];
  const res = await runProcess(c.sipp, args, { cwd: c.cwd, timeoutMs: (r.timeoutS + 15) * 1000 });
  return { ...res, command: ['sipp', ...args].join(' ') };
}

/**
 * Start the NOTIFY sink (notify_uas.xml) as the anchor does: `-fd 1`,
 * 4 MB buffers, default timer resolution, logging every NOTIFY to `logFile`.
 */
export async function startUas(c: SippCommon, logFile: string, timeoutS: number): Promise<ManagedProcess> {
  const args = [
    '-sf',
    mwiScenario('notify_uas.xml'),
    ...(await localArgs(c.port)),
    '-trace_logs',
    '-log_file',
    logFile,
    '-fd',
    '1',
    '-buff_size',
    String(SIPP_BUFFER),
    '-timeout',
    `${timeoutS}s`,
    '-nostdin',
  ];
  return new ManagedProcess(c.sipp, args, { cwd: c.cwd });
}
