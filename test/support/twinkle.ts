/**
 * Run twinkle (Debian `twinkle-console` 1.10.2, binary `twinkle-console`)
 * headless: a temp HOME holding `~/.twinkle/twinkle.sys` (system settings:
 * no audio device validation, every SIP message logged, a free SIP port) and
 * one user profile `<user>.cfg` that registers through openum as outbound
 * proxy and, when asked, subscribes to message-summary (profile keys
 * `mwi_sollicited`, `mwi_user`, `mwi_server`, `mwi_via_proxy`,
 * `mwi_subscription_time`, read from twinkle's src/user.cpp).
 *
 * Found by running it here:
 * - `twinkle-console` takes profile file names as its arguments (no `-c`,
 *   no `-f`: `twinkle-console -c` looks for a profile named `-c`);
 * - it reads CLI commands from stdin and quits (unsubscribing and
 *   unregistering first) on `quit` or at end of input;
 * - in CLI mode it prints nothing when the MWI state changes
 *   (`t_userintf::cb_update_mwi` is empty), only subscription failures, so
 *   what it accepted is read from `~/.twinkle/twinkle.log` (log_show_sip);
 * - it binds its SIP port on every address (0.0.0.0, UDP and TCP): it has no
 *   setting for a listen address; the port is a free one;
 * - no audio device is needed as long as no call is made.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess, type ExitStatus } from './child-process.js';
import { freePort, freePortWith } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export interface TwinkleOptions {
  user: string;
  password: string;
  domain: string;
  /** openum's 'host:port', used as outbound proxy for every request */
  proxy: string;
  transport: 'udp' | 'tcp';
  /** subscribe to message-summary (mwi_sollicited=yes); default true */
  subscribe?: boolean;
  /** mwi_subscription_time; default 600 */
  subscriptionTimeS?: number;
  /** registration_time; default 600 */
  registrationTimeS?: number;
}

/** One SIP message from twinkle's log. */
export interface TwinkleSipMessage {
  /** as logged, e.g. '26-11-2026 06:57:25.389134' */
  time: string;
  /** 'in': received by twinkle, 'out': sent by it */
  direction: 'in' | 'out';
  /** 'udp:127.0.0.1:5060' */
  peer: string;
  /** the whole message, lines joined with CRLF */
  text: string;
  firstLine: string;
}

/** A running twinkle. */
export interface TwinklePeer {
  readonly process: ManagedProcess;
  readonly home: string;
  readonly sipPort: number;
  /** stdout + stderr so far */
  output(): string;
  /** ~/.twinkle/twinkle.log so far ('' before it exists) */
  log(): Promise<string>;
  /** the SIP messages of the log, oldest first */
  sipMessages(): Promise<TwinkleSipMessage[]>;
  /** Poll the log until a message satisfies `match` (or `timeoutMs` passes). */
  waitForSipMessage(
    match: (m: TwinkleSipMessage) => boolean,
    timeoutMs: number,
  ): Promise<TwinkleSipMessage | undefined>;
  /** `quit` on stdin (twinkle unsubscribes and unregisters first); resolves when it exited or `graceMs` passed. Keeps HOME. */
  quit(graceMs?: number): Promise<ExitStatus | undefined>;
  /** {@link quit}, then SIGTERM, then SIGKILL; removes HOME */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/**
 * Split twinkle's log into entries (`+++ <time> <level> <class> <function>`
 * ... `---`) and keep the SIP messages sent and received.
 */
export function parseTwinkleLog(log: string): TwinkleSipMessage[] {
  const out: TwinkleSipMessage[] = [];
  for (const entry of log.split(/^\+\+\+ /m).slice(1)) {
    const lines = entry.replace(/\r/g, '').split('\n');
    const head = lines[0] ?? '';
    const where = lines[1] ?? '';
    const m = /^(Received from|Send to): (\S+)/.exec(where);
    if (!m || !/\bSIP\b/.test(head)) continue;
    const end = lines.lastIndexOf('---');
    const body = lines.slice(2, end > 2 ? end : undefined);
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    const time = head.split(' ').slice(0, 2).join(' ');
    out.push({
      time,
      direction: m[1] === 'Received from' ? 'in' : 'out',
      peer: m[2] ?? '',
      text: body.join('\r\n'),
      firstLine: body[0] ?? '',
    });
  }
  return out;
}

/** A header value of a logged message (first occurrence, case-insensitive). */
export function logHeader(m: TwinkleSipMessage, name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'im');
  const head = m.text.split('\r\n\r\n')[0] ?? '';
  return re.exec(head)?.[1]?.trim();
}

/** Start twinkle-console with one profile. */
export async function startTwinkle(twinklePath: string, o: TwinkleOptions): Promise<TwinklePeer> {
  const home = await makeTempDir('twinkle');
  const dir = join(home, '.twinkle');
  await mkdir(dir, { recursive: true });
  const sipPort = await freePort();
  const rtpPort = await freePortWith([1, 2, 3]);
  await writeFile(
    join(dir, 'twinkle.sys'),
    [
      // no call is made: never open or validate an audio device
      'dev_ringtone=alsa:null',
      'dev_speaker=alsa:null',
      'dev_mic=alsa:null',
      'validate_audio_dev=no',
      'play_ringtone=no',
      'play_ringback=no',
      'log_max_size=20',
      'log_show_sip=yes',
      'log_show_stun=no',
      'log_show_memory=no',
      'log_show_debug=no',
      `sip_port=${sipPort}`,
      `rtp_port=${rtpPort}`,
      '',
    ].join('\n'),
  );
  const subscribe = o.subscribe ?? true;
  await writeFile(
    join(dir, `${o.user}.cfg`),
    [
      `user_name=${o.user}`,
      `user_domain=${o.domain}`,
      `user_display=${o.user}`,
      `auth_name=${o.user}`,
      `auth_pass=${o.password}`,
      // every request through openum; the registrar is the domain (Request-URI sip:DOMAIN)
      `outbound_proxy=${o.proxy}`,
      'all_requests_to_proxy=yes',
      'register_at_startup=yes',
      `registration_time=${o.registrationTimeS ?? 600}`,
      `sip_transport=${o.transport}`,
      // no presence PUBLISH at start-up (openum serves message-summary only)
      'pres_publish_startup=no',
      `mwi_sollicited=${subscribe ? 'yes' : 'no'}`,
      `mwi_user=${o.user}`,
      `mwi_server=${o.domain}`,
      'mwi_via_proxy=yes',
      `mwi_subscription_time=${o.subscriptionTimeS ?? 600}`,
      '',
    ].join('\n'),
  );
  const proc = new ManagedProcess(twinklePath, [`${o.user}.cfg`], {
    cwd: home,
    env: { ...process.env, HOME: home, LANG: 'C', LC_ALL: 'C' },
    stdin: 'pipe',
  });
  proc.child.stdin?.on('error', () => undefined);
  const logPath = join(dir, 'twinkle.log');
  const log = async (): Promise<string> => {
    try {
      return await readFile(logPath, 'latin1');
    } catch {
      return '';
    }
  };
  const quit = async (graceMs = 4000): Promise<ExitStatus | undefined> => {
    if (!proc.exitStatus) {
      proc.write('quit\n');
      proc.child.stdin?.end();
      await proc.waitFor(() => false, graceMs);
    }
    return proc.exitStatus;
  };
  let stopping: Promise<ExitStatus> | undefined;
  return {
    process: proc,
    home,
    sipPort,
    output: () => proc.stdout + proc.stderr,
    log,
    sipMessages: async () => parseTwinkleLog(await log()),
    async waitForSipMessage(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = parseTwinkleLog(await log()).find(match);
        if (found || Date.now() >= deadline || proc.exitStatus) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    quit,
    stop(graceMs = 4000): Promise<ExitStatus> {
      stopping ??= (async () => {
        await quit(graceMs);
        const status = await proc.stop(2000);
        await removeTempDir(home);
        return status;
      })();
      return stopping;
    },
  };
}
