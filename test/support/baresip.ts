/**
 * Run baresip (Debian `baresip-core` 1.0.0) headless: a temp config dir with
 * no audio devices and only the modules a registration needs (account.so to
 * read `accounts`, menu.so to print registration results) plus any asked for
 * (e.g. mwi.so), listening on 127.0.0.1 (or `listenHost`) and a free port,
 * bounded by `-t`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess, type ExitStatus } from './child-process.js';
import { freePortWith } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

const MODULE_DIRS = [
  '/usr/lib/baresip/modules',
  '/usr/lib/x86_64-linux-gnu/baresip/modules',
  '/usr/lib/aarch64-linux-gnu/baresip/modules',
  '/usr/local/lib/baresip/modules',
];

/** Where baresip's modules are installed, or undefined. */
export function baresipModuleDir(): string | undefined {
  return MODULE_DIRS.find((d) => existsSync(join(d, 'account.so')));
}

export interface BaresipOptions {
  user: string;
  password: string;
  domain: string;
  /** the registrar 'host:port' (sent to via an outbound proxy URI) */
  registrar: string;
  transport: 'udp' | 'tcp';
  /** registration interval in seconds (accounts `regint`); default 60 */
  regint?: number;
  /** baresip quits by itself after this many seconds (-t); default 60 */
  lifetimeS?: number;
  /** address of sip_listen; default 127.0.0.1 */
  listenHost?: string;
  /** more application modules (`module_app`), e.g. 'mwi.so' */
  modules?: string[];
  /** print every SIP message (-s); default true */
  sipTrace?: boolean;
  /** `audio_source` (e.g. `aufile,/path/8k-mono.wav`); default none */
  audioSource?: string;
  /** `audio_player` (e.g. `aubridge,nil`: no sound card here); default none */
  audioPlayer?: string;
  /** more config lines (module settings such as ctrl_tcp_listen) */
  config?: string[];
  /** -e commands run at start (e.g. `/dial URI`) */
  commands?: string[];
}

/** A running baresip and its temp config dir. */
export interface BaresipPeer {
  readonly process: ManagedProcess;
  readonly configDir: string;
  readonly sipPort: number;
  /** all output so far (stdout + stderr) */
  output(): string;
  /** SIGTERM (baresip unregisters), SIGKILL after `graceMs` (default 2 s); removes the config dir */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Start baresip with one account. Throws when no module dir is found. */
export async function startBaresip(baresipPath: string, o: BaresipOptions): Promise<BaresipPeer> {
  const moduleDir = baresipModuleDir();
  if (!moduleDir) throw new Error(`baresip modules not found in ${MODULE_DIRS.join(', ')}`);
  const configDir = await makeTempDir('baresip');
  // baresip listens on sip_listen for UDP and TCP, and on port + 1 for TLS
  const sipPort = await freePortWith([1]);
  await writeFile(
    join(configDir, 'config'),
    [
      `module_path ${moduleDir}`,
      `sip_listen ${o.listenHost ?? '127.0.0.1'}:${sipPort}`,
      // no DNS query leaves the host (the outbound proxy is an IP address anyway)
      'dns_server 127.0.0.1:53',
      `audio_player ${o.audioPlayer ?? 'none'}`,
      `audio_source ${o.audioSource ?? 'none'}`,
      'audio_alert none',
      'module_app account.so',
      'module_app menu.so',
      ...(o.modules ?? []).map((m) => `module_app ${m}`),
      ...(o.config ?? []),
      '',
    ].join('\n'),
  );
  await writeFile(
    join(configDir, 'accounts'),
    `<sip:${o.user}@${o.domain}>;auth_pass=${o.password};outbound="sip:${o.registrar};transport=${o.transport}";regint=${o.regint ?? 60}\n`,
  );
  const args = ['-f', configDir, '-t', String(o.lifetimeS ?? 60)];
  if (o.sipTrace ?? true) args.push('-s');
  for (const c of o.commands ?? []) args.push('-e', c);
  const proc = new ManagedProcess(baresipPath, args, { cwd: configDir });
  let stopping: Promise<ExitStatus> | undefined;
  return {
    process: proc,
    configDir,
    sipPort,
    output: () => proc.stdout + proc.stderr,
    stop(graceMs = 2000): Promise<ExitStatus> {
      stopping ??= (async () => {
        const status = await proc.stop(graceMs);
        await removeTempDir(configDir);
        return status;
      })();
      return stopping;
    },
  };
}
