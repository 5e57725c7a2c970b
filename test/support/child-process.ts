/**
 * Bounded child processes for interop tests and benchmarks: every process
 * started here is tracked, stopped with SIGTERM then SIGKILL after a grace
 * period, and force-killed when the test process exits, so a failing test
 * never leaves a peer (SIPp, baresip, openum) running.
 *
 * This module has no side effect at import other than one `exit` hook
 * (Node's runner executes every file under test/ as a test file); signal
 * hooks are installed with the first child.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { removeAllTempDirsSync } from './temp-dir.js';

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Result of a run-to-completion process. */
export interface RunResult extends ExitStatus {
  stdout: string;
  stderr: string;
  /** true when the time bound was hit and the process was killed */
  timedOut: boolean;
  /** wall-clock milliseconds */
  durationMs: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** hard bound; the process gets SIGTERM, then SIGKILL after `killGraceMs` */
  timeoutMs?: number;
  killGraceMs?: number;
  /** written to stdin, which is then closed; stdin is /dev/null otherwise */
  input?: string;
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAll);

let signalHooks = false;
/**
 * On SIGTERM/SIGINT/SIGHUP, kill the children, then die of the same signal
 * (installed with the first child, so importing this module changes nothing).
 */
function installSignalCleanup(): void {
  if (signalHooks) return;
  signalHooks = true;
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      removeAllTempDirsSync();
      for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeAllListeners(s);
      process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

/** Limit a captured stream so a chatty peer cannot exhaust memory. */
const MAX_CAPTURE = 4 * 1024 * 1024;

function capture(
  child: ChildProcess,
  which: 'stdout' | 'stderr',
  sink: { text: string },
  onChunk?: (s: string) => void,
): void {
  const stream = child[which];
  if (!stream) return;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    if (sink.text.length < MAX_CAPTURE) sink.text += chunk;
    onChunk?.(chunk);
  });
}

/** A long-running process (a server, a SIP peer) with bounded stop. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly command: string;
  private readonly out = { text: '' };
  private readonly err = { text: '' };
  private readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private readonly waiters: Array<() => void> = [];

  constructor(
    command: string,
    args: readonly string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' } = {},
  ) {
    this.command = [command, ...args].join(' ');
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    };
    installSignalCleanup();
    this.child = spawn(command, args, spawnOpts);
    live.add(this.child);
    const notify = (): void => {
      for (const w of this.waiters.splice(0)) w();
    };
    capture(this.child, 'stdout', this.out, notify);
    capture(this.child, 'stderr', this.err, notify);
    this.exited = new Promise<ExitStatus>((resolve) => {
      let spawnError: Error | undefined;
      this.child.on('error', (e) => {
        spawnError = e;
        this.err.text += `\n[spawn error] ${e.message}\n`;
        // 'close' may never come when spawn itself failed
        if (this.child.pid === undefined) {
          live.delete(this.child);
          this.status = { code: -1, signal: null };
          notify();
          resolve(this.status);
        }
      });
      this.child.on('close', (code, signal) => {
        live.delete(this.child);
        this.status = { code: spawnError && code === null ? -1 : code, signal };
        notify();
        resolve(this.status);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): string {
    return this.out.text;
  }

  get stderr(): string {
    return this.err.text;
  }

  /** The exit status once the process ended, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Resolves when the process ends. */
  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Write to stdin (only when started with `stdin: 'pipe'`). */
  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /**
   * Wait until `predicate(stdout, stderr)` holds, the process exits, or
   * `timeoutMs` passes. Returns true only when the predicate held.
   */
  async waitFor(predicate: (stdout: string, stderr: string) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (predicate(this.out.text, this.err.text)) return true;
      if (this.status) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(done);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        }, left);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(done);
      });
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(graceMs = 3000): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.status) return;
    try {
      this.child.kill(sig);
    } catch {
      // already gone
    }
  }
}

/** Run a command to completion within a time bound, capturing its output. */
export async function runProcess(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const p = new ManagedProcess(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  if (opts.input !== undefined) {
    p.child.stdin?.on('error', () => undefined);
    p.child.stdin?.end(opts.input);
  }
  let timedOut = false;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timer = setTimeout(() => {
    timedOut = true;
    void p.stop(opts.killGraceMs ?? 2000);
  }, timeoutMs);
  try {
    const status = await p.wait();
    return { ...status, stdout: p.stdout, stderr: p.stderr, timedOut, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Multi-line description of a finished run, for assertion messages. */
export function describeRun(what: string, r: RunResult, extra = ''): string {
  const tail = (s: string): string => (s.length > 8000 ? '...' + s.slice(-8000) : s);
  return [
    `${what}: exit code ${String(r.code)}${r.signal ? ` signal ${r.signal}` : ''}${r.timedOut ? ' (TIMED OUT, killed)' : ''} after ${r.durationMs} ms`,
    r.stdout ? `--- stdout ---\n${tail(r.stdout)}` : '--- stdout: (empty)',
    r.stderr ? `--- stderr ---\n${tail(r.stderr)}` : '--- stderr: (empty)',
    extra,
  ]
    .filter((s) => s !== '')
    .join('\n');
}
