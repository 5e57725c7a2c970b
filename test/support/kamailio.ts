/**
 * Kamailio 5.6 (Debian `kamailio` + `kamailio-presence-modules`) as an MWI
 * presence server for interop tests: the configuration of the performance
 * anchor (presence + presence_mwi, everything in memory, PUBLISH and
 * out-of-dialog NOTIFY fed to handle_publish(), SUBSCRIBE to
 * handle_subscribe(), no authentication), on 127.0.0.1 with a free port,
 * its files in a temp dir, stopped within a bound.
 */
import { createSocket } from 'node:dgram';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess, type ExitStatus } from './child-process.js';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** The db_text tables presence needs to find (only their version rows are read). */
const DBTEXT_DIR = '/usr/share/kamailio/dbtext/kamailio';
const DBTEXT_TABLES = ['version', 'presentity', 'active_watchers', 'watchers'];

export interface KamailioConfigOptions {
  port: number;
  /** db_text directory */
  dbDir: string;
  /** unix socket of the ctl module */
  ctlSocket: string;
  /** the domain subscribers and publishers use (an alias of the server) */
  domain: string;
  /** presence_mwi default_expires (seconds) */
  defaultExpires?: number;
}

/**
 * The whole kamailio.cfg of these tests, kept here: the modules, presence
 * parameters and request_route of the Kamailio MWI anchor configuration
 * (this repository's copy of it is bench/mwi/kamailio.cfg), with the listen
 * port, paths and alias filled in, one worker per socket, and without the
 * benchmark's tuning (hash-table sizes, receive buffer, errors-only log).
 */
export function kamailioConfig(o: KamailioConfigOptions): string {
  return `#!KAMAILIO
debug=1
log_stderror=yes
log_prefix=""
children=1
tcp_children=1
disable_tcp=no
listen=udp:127.0.0.1:${o.port}
listen=tcp:127.0.0.1:${o.port}
auto_aliases=no
alias="${o.domain}"
dns=no
rev_dns=no
dns_try_ipv6=no
use_dns_cache=off
dns_srv_lb=no
dns_try_naptr=no
server_signature=no
sip_warning=0
user_agent_header="User-Agent: kamailio-openum-interop"
server_header="Server: kamailio-openum-interop"

loadmodule "db_text.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "ctl.so"
loadmodule "presence.so"
loadmodule "presence_mwi.so"

modparam("ctl", "binrpc", "unix:${o.ctlSocket}")
modparam("presence", "db_url", "text://${o.dbDir}")
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "server_address", "sip:127.0.0.1:${o.port}")
modparam("presence", "max_expires", 7200)
modparam("presence", "clean_period", 30)
modparam("presence", "db_update_period", 0)
modparam("presence", "send_fast_notify", 1)
modparam("presence", "force_delete", 1)
modparam("presence_mwi", "default_expires", ${o.defaultExpires ?? 3600})

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("ACK")) {
		exit;
	}
	if (is_method("PUBLISH|SUBSCRIBE")) {
		if (!t_newtran()) {
			sl_reply_error();
			exit;
		}
		if (is_method("PUBLISH")) {
			handle_publish();
		} else {
			handle_subscribe();
		}
		t_release();
		exit;
	}
	# unsolicited MWI NOTIFY (out of dialog, no To-tag); the R-URI is the mailbox AOR
	if (is_method("NOTIFY") && !has_totag() && $hdr(Event) =~ "^message-summary") {
		if (!t_newtran()) {
			sl_reply_error();
			exit;
		}
		handle_publish();
		t_release();
		exit;
	}
	if (is_method("OPTIONS")) {
		sl_send_reply("200", "OK");
		exit;
	}
	sl_send_reply("405", "Method Not Allowed");
	exit;
}
`;
}

/** A running kamailio. */
export interface KamailioServer {
  readonly port: number;
  /** '127.0.0.1:PORT' */
  readonly address: string;
  readonly runDir: string;
  readonly process: ManagedProcess;
  /** stderr (kamailio logs there with -E), for assertion messages */
  log(): string;
  /** SIGTERM (SIGKILL after `graceMs`), kill any worker left behind, remove the run dir */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Resolves true once an OPTIONS to 127.0.0.1:port gets a 200, false after `timeoutMs`. */
export async function sipOptionsPing(port: number, timeoutMs: number): Promise<boolean> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => resolve());
  });
  const local = sock.address().port;
  let ok = false;
  sock.on('message', (m) => {
    if (m.toString('latin1').startsWith('SIP/2.0 200')) ok = true;
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (let i = 0; !ok && Date.now() < deadline; i++) {
      const msg = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKping${process.pid}x${i};rport`,
        'Max-Forwards: 70',
        `From: <sip:ping@127.0.0.1>;tag=p${i}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ping-${process.pid}-${i}@127.0.0.1`,
        `CSeq: ${i + 1} OPTIONS`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(msg, port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    sock.close();
  }
  return ok;
}

/** Pids of live processes whose command line mentions `marker` (our run dir): workers of our kamailio only. */
async function pidsMentioning(marker: string): Promise<number[]> {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = (await readFile(`/proc/${e}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmd.includes(marker)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Start kamailio with {@link kamailioConfig} on a free port and wait until
 * it answers OPTIONS. Throws (after stopping it) with its log when it does
 * not come up within `readyTimeoutMs` (default 15 s).
 */
export async function startKamailio(
  kamailioPath: string,
  opts: {
    domain: string;
    defaultExpires?: number;
    readyTimeoutMs?: number;
    /** Another kamailio.cfg (it must listen on `port` and answer OPTIONS); default {@link kamailioConfig}. */
    config?: (o: KamailioConfigOptions) => string;
  },
): Promise<KamailioServer> {
  const runDir = await makeTempDir('kamailio');
  const dbDir = join(runDir, 'db');
  await mkdir(dbDir);
  for (const t of DBTEXT_TABLES) await copyFile(join(DBTEXT_DIR, t), join(dbDir, t));
  const port = await freePort();
  const cfg = join(runDir, 'kamailio.cfg');
  await writeFile(
    cfg,
    (opts.config ?? kamailioConfig)({
      port,
      dbDir,
      ctlSocket: join(runDir, 'kamailio_ctl'),
      domain: opts.domain,
      ...(opts.defaultExpires !== undefined && { defaultExpires: opts.defaultExpires }),
    }),
  );
  // no core dumps (a kamailio core is as big as its shared memory); TLSF allocator as in the anchor
  const proc = new ManagedProcess(
    '/bin/sh',
    [
      '-c',
      'ulimit -c 0; exec "$0" "$@"',
      kamailioPath,
      '-DD',
      '-E',
      '-f',
      cfg,
      '-m',
      '64',
      '-M',
      '8',
      '-x',
      'tlsf',
      '-Y',
      runDir,
      '-w',
      runDir,
    ],
    { cwd: runDir },
  );
  let stopping: Promise<ExitStatus> | undefined;
  const server: KamailioServer = {
    port,
    address: `127.0.0.1:${port}`,
    runDir,
    process: proc,
    log: () => proc.stderr,
    stop(graceMs = 5000): Promise<ExitStatus> {
      stopping ??= (async () => {
        const status = await proc.stop(graceMs);
        for (const pid of await pidsMentioning(runDir)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await removeTempDir(runDir);
        return status;
      })();
      return stopping;
    },
  };
  const ready = await sipOptionsPing(port, opts.readyTimeoutMs ?? 15_000);
  if (!ready) {
    const log = proc.stderr;
    await server.stop(1000);
    throw new Error(
      `kamailio did not answer OPTIONS on 127.0.0.1:${port}\ncommand: ${proc.command}\n--- log ---\n${log.slice(-6000)}`,
    );
  }
  return server;
}
