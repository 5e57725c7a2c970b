/**
 * Run SIPp (3.6.1, Debian `sip-tester`) bounded in time and call count, with
 * every socket on 127.0.0.1 and free ports, its files in a temp dir, and its
 * error/message logs returned for assertion messages.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeRun, ManagedProcess, runProcess, type RunResult } from './child-process.js';
import { repoRoot } from './openum-process.js';
import { freePort, freePortWith } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** A scenario file under test/interop/sipp/ (XML files are not compiled into dist/). */
export function sippScenario(name: string): string {
  return join(repoRoot(), 'test', 'interop', 'sipp', name);
}

export interface SippOptions {
  /** scenario XML path */
  scenario: string;
  /** remote 'host:port' */
  target: string;
  transport: 'udp' | 'tcp';
  /** -m: calls to run before exiting; default 1 */
  calls?: number;
  /** -r calls per second; default 10 */
  rate?: number;
  /** -l max simultaneous calls */
  limit?: number;
  /** -timeout in seconds (reaching it is a failure: -timeout_error); default 15 */
  timeoutS?: number;
  /** -recv_timeout in ms; default 5000 */
  recvTimeoutMs?: number;
  /** -s: user part of the Request-URI ([service]) */
  service?: string;
  /** -auth_uri: digest uri (SIPp defaults to remote ip:port) */
  authUri?: string;
  /** -key NAME VALUE pairs for [NAME] in the scenario */
  keys?: Record<string, string>;
  /** -inf CSV file */
  injectionFile?: string;
  /**
   * Credentials written to an -inf CSV in the work dir: [field0] is the user
   * name, [field1] the whole `[authentication username=U password=P]` keyword
   * (SIPp 3.6.1 does not expand keywords nested inside [authentication]).
   */
  users?: ReadonlyArray<{ name: string; password: string }>;
  /** -nd (no default behaviours: no BYE/CANCEL on abort); default true */
  noDefaults?: boolean;
  /** more arguments (e.g. -buff_size, -timer_resol) */
  extraArgs?: string[];
  /** keep the work dir (for benchmarks that read stat files) */
  keepWorkDir?: boolean;
  /**
   * Local address for SIP, control and media sockets (-i, -ci, -mi), e.g. a
   * trusted 127.0.0.2; default 127.0.0.1. When set, `-bind_local` makes TCP
   * connections leave from it too.
   */
  localIp?: string;
  /** -oocsf: scenario for requests that belong to no call (e.g. an unsolicited NOTIFY) */
  outOfCallScenario?: string;
  /** -d: duration of a `<pause/>` without attributes, in ms */
  pauseMs?: number;
}

export interface SippResult extends RunResult {
  /** the full command line, for messages */
  command: string;
  /** -trace_err file: unexpected messages */
  errorLog: string;
  /** -trace_msg file: every message sent and received */
  messageLog: string;
  /** -trace_logs file: <log> actions of the scenario */
  actionLog: string;
  /** the work dir (deleted unless keepWorkDir) */
  workDir: string;
  /** multi-line failure description with all logs */
  describe(): string;
}

async function readOr(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * An injection file of `name;[authentication username=name password=pw]`
 * lines, read in sequence.
 */
export function authCsv(users: ReadonlyArray<{ name: string; password: string }>): string {
  const lines = ['SEQUENTIAL'];
  for (const u of users) {
    if (/[;\s[\]]/.test(u.name + u.password))
      throw new Error(`SIPp CSV cannot carry ';', ']', '[' or spaces: ${u.name}`);
    lines.push(`${u.name};[authentication username=${u.name} password=${u.password}]`);
  }
  return lines.join('\n') + '\n';
}

/** Build SIPp's argument list (exported for the benchmark). */
export async function sippArgs(opts: SippOptions, workDir: string): Promise<string[]> {
  const [sipPort, ctlPort, mediaPort] = [await freePort(), await freePort(), await freePortWith([2])];
  const localIp = opts.localIp ?? '127.0.0.1';
  const args = [
    opts.target,
    '-sf',
    opts.scenario,
    '-t',
    opts.transport === 'tcp' ? 't1' : 'u1',
    '-i',
    localIp,
    '-p',
    String(sipPort),
    '-ci',
    localIp,
    '-cp',
    String(ctlPort),
    '-mi',
    localIp,
    '-mp',
    String(mediaPort),
    '-m',
    String(opts.calls ?? 1),
    '-r',
    String(opts.rate ?? 10),
    '-timeout',
    `${opts.timeoutS ?? 15}s`,
    '-timeout_error',
    '-recv_timeout',
    String(opts.recvTimeoutMs ?? 5000),
    '-max_reconnect',
    '0',
    '-nostdin',
    '-trace_err',
    '-error_file',
    join(workDir, 'errors.log'),
    '-trace_logs',
    '-log_file',
    join(workDir, 'actions.log'),
  ];
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.authUri !== undefined) args.push('-auth_uri', opts.authUri);
  if (opts.injectionFile !== undefined) args.push('-inf', opts.injectionFile);
  if (opts.users !== undefined) {
    const csv = join(workDir, 'users.csv');
    await writeFile(csv, authCsv(opts.users));
    args.push('-inf', csv);
  }
  if (opts.localIp !== undefined) args.push('-bind_local');
  if (opts.outOfCallScenario !== undefined) args.push('-oocsf', opts.outOfCallScenario);
  if (opts.pauseMs !== undefined) args.push('-d', String(opts.pauseMs));
  if (opts.noDefaults ?? true) args.push('-nd');
  for (const [k, v] of Object.entries(opts.keys ?? {})) args.push('-key', k, v);
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/** A finished run with its logs and a failure description (everything of a SippResult but the work dir). */
function sippResult(
  opts: SippOptions,
  run: RunResult,
  command: string,
  logs: { errorLog: string; messageLog: string; actionLog: string },
): Omit<SippResult, 'workDir'> {
  const { errorLog, messageLog, actionLog } = logs;
  return {
    ...run,
    command,
    errorLog,
    messageLog,
    actionLog,
    describe(): string {
      return describeRun(
        `SIPp ${opts.scenario.split('/').pop() ?? ''} over ${opts.transport}`,
        run,
        [
          `command: ${command}`,
          errorLog ? `--- SIPp error log ---\n${errorLog.slice(-8000)}` : '--- SIPp error log: (empty)',
          messageLog ? `--- SIPp message trace ---\n${messageLog.slice(-12000)}` : '',
          actionLog ? `--- SIPp <log> actions ---\n${actionLog.slice(-4000)}` : '',
        ].join('\n'),
      );
    },
  };
}

/**
 * Run one SIPp client to completion. The process is killed if it outlives its
 * own -timeout by 15 s. Exit code 0 means every call succeeded.
 */
export async function runSipp(sippPath: string, opts: SippOptions): Promise<SippResult> {
  const workDir = await makeTempDir('sipp');
  const traceMessages = (opts.calls ?? 1) <= 20;
  const args = await sippArgs(opts, workDir);
  if (traceMessages) args.push('-trace_msg', '-message_file', join(workDir, 'messages.log'));
  const run = await runProcess(sippPath, args, {
    cwd: workDir,
    timeoutMs: ((opts.timeoutS ?? 15) + 15) * 1000,
  });
  const [errorLog, messageLog, actionLog] = await Promise.all([
    readOr(join(workDir, 'errors.log')),
    readOr(join(workDir, 'messages.log')),
    readOr(join(workDir, 'actions.log')),
  ]);
  if (!opts.keepWorkDir) await removeTempDir(workDir);
  const command = ['sipp', ...args].join(' ');
  return {
    ...sippResult(opts, run, command, { errorLog, messageLog, actionLog }),
    workDir,
  };
}

/** A SIPp client running in the background (see {@link startSipp}). */
export interface SippRun {
  readonly process: ManagedProcess;
  readonly workDir: string;
  /** the -trace_logs file so far (SIPp flushes each `<log>` action) */
  actionLogNow(): Promise<string>;
  /** Wait until the action log matches `re`, SIPp exits, or `timeoutMs` passes; true when it matched. */
  waitForLog(re: RegExp, timeoutMs: number): Promise<boolean>;
  /** Wait for SIPp to finish by itself (killed after its -timeout + 15 s) and collect its logs. */
  finish(): Promise<SippResult>;
}

/**
 * Start one SIPp client in the background, for scenarios that must be in a
 * given state (e.g. subscribed) before the test acts: poll
 * {@link SippRun.waitForLog}, act, then {@link SippRun.finish}. Same options
 * and bounds as {@link runSipp}.
 */
export async function startSipp(sippPath: string, opts: SippOptions): Promise<SippRun> {
  const workDir = await makeTempDir('sipp');
  const args = await sippArgs(opts, workDir);
  if ((opts.calls ?? 1) <= 20) args.push('-trace_msg', '-message_file', join(workDir, 'messages.log'));
  const started = Date.now();
  const proc = new ManagedProcess(sippPath, args, { cwd: workDir });
  let timedOut = false;
  const bound = setTimeout(
    () => {
      timedOut = true;
      void proc.stop(2000);
    },
    ((opts.timeoutS ?? 15) + 15) * 1000,
  );
  const command = ['sipp', ...args].join(' ');
  const actionLogNow = (): Promise<string> => readOr(join(workDir, 'actions.log'));
  let finished: Promise<SippResult> | undefined;
  return {
    process: proc,
    workDir,
    actionLogNow,
    async waitForLog(re: RegExp, timeoutMs: number): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (re.test(await actionLogNow())) return true;
        if (proc.exitStatus) return re.test(await actionLogNow());
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    finish(): Promise<SippResult> {
      finished ??= (async () => {
        const status = await proc.wait();
        clearTimeout(bound);
        const [errorLog, messageLog, actionLog] = await Promise.all([
          readOr(join(workDir, 'errors.log')),
          readOr(join(workDir, 'messages.log')),
          actionLogNow(),
        ]);
        if (!opts.keepWorkDir) await removeTempDir(workDir);
        const run: RunResult = {
          ...status,
          stdout: proc.stdout,
          stderr: proc.stderr,
          timedOut,
          durationMs: Date.now() - started,
        };
        return {
          ...sippResult(opts, run, command, { errorLog, messageLog, actionLog }),
          workDir,
        };
      })();
      return finished;
    },
  };
}
