/**
 * What the CLI may call: the app layer's commands. The CLI imports this file
 * only (ARCHITECTURE.md: cli -> app).
 */
import { resolveConfig, type RawConfig } from './config.js';
import { UsageError } from './errors.js';
import { openStorage } from './open-storage.js';
import { startServer } from './server.js';
import { MwiTargetError, parseMwiTarget, type MwiTarget } from '../mwi/mwi-forwarder.js';
import { addUser, listUsers, removeUser, setUser } from './user-commands.js';
import { createToken, mwiSet, mwiShow } from './admin-commands.js';

export { UsageError } from './errors.js';
export { VERSION } from './version.js';
export { runPhone } from './phone-command.js';

function withStorage<T>(dataDir: string, fn: (s: ReturnType<typeof openStorage>) => T): T {
  const storage = openStorage(dataDir);
  try {
    return fn(storage);
  } finally {
    storage.close();
  }
}

/** `openum user add NAME --password P ...` */
export function userAdd(name: string, o: Record<string, string | undefined>): void {
  if (o.password === undefined) throw new UsageError('--password is required');
  const password = o.password;
  withStorage(o.data ?? './data', (s) => {
    const u = addUser(s, {
      name,
      password,
      ...(o.extension !== undefined && { extension: o.extension }),
      ...(o.displayName !== undefined && { displayName: o.displayName }),
      ...(o.mwi !== undefined && { mwi: o.mwi as 'on' | 'off' }),
      ...(o.unsolicitedMwi !== undefined && { unsolicitedMwi: o.unsolicitedMwi as 'on' | 'off' }),
      ...(o.pin !== undefined && { pin: o.pin }),
      ...(o.domain !== undefined && { domain: o.domain }),
      ...(o.email !== undefined && { email: o.email }),
      ...(o.ownPhonePin !== undefined && { ownPhonePin: o.ownPhonePin as 'on' | 'off' }),
    });
    process.stdout.write(`added ${u.name} (realm ${u.realm}${u.extension ? `, extension ${u.extension}` : ''})\n`);
  });
}

/** `openum user set NAME ...` */
export function userSet(name: string, o: Record<string, string | undefined>): void {
  withStorage(o.data ?? './data', (s) => {
    setUser(s, name, {
      ...(o.mwi !== undefined && { mwi: o.mwi }),
      ...(o.unsolicitedMwi !== undefined && { unsolicitedMwi: o.unsolicitedMwi }),
      ...(o.displayName !== undefined && { displayName: o.displayName }),
      ...(o.password !== undefined && { password: o.password }),
      ...(o.domain !== undefined && { domain: o.domain }),
      ...(o.email !== undefined && { email: o.email }),
      ...(o.ownPhonePin !== undefined && { ownPhonePin: o.ownPhonePin }),
    });
    process.stdout.write(`changed ${name}\n`);
  });
}

/** `openum user list` */
export function userList(dataDir: string): void {
  withStorage(dataDir, (s) => {
    for (const line of listUsers(s)) process.stdout.write(`${line}\n`);
  });
}

/** `openum user remove NAME` */
export function userRemove(name: string, dataDir: string): void {
  withStorage(dataDir, (s) => {
    removeUser(s, name);
    process.stdout.write(`removed ${name}\n`);
  });
}

/** `openum token create [--scope admin|mwi:write] [--mailbox NAME]` */
export function tokenCreate(o: { scope?: string; mailbox?: string; data?: string }): void {
  withStorage(o.data ?? './data', (s) => {
    process.stdout.write(`${createToken(s, o.scope ?? 'mwi:write', o.mailbox)}\n`);
  });
}

/** `openum mwi show NAME` */
export function mwiShowCommand(name: string, dataDir: string): void {
  withStorage(dataDir, (s) => process.stdout.write(`${mwiShow(s, name)}\n`));
}

/** `openum mwi set NAME --new N --old N ...` */
export function mwiSetCommand(
  name: string,
  o: { new?: string; old?: string; urgentNew?: string; urgentOld?: string; data?: string },
): void {
  withStorage(o.data ?? './data', (s) => process.stdout.write(`${mwiSet(s, name, o)}\n`));
}

const FLAG_KEYS: (keyof RawConfig)[] = [
  'data',
  'domain',
  'sip',
  'sips',
  'http',
  'tlsCert',
  'tlsKey',
  'trust',
  'mwiTarget',
  'databaseUrl',
  'allowInsecureBasic',
  'logLevel',
  'authAlgorithms',
  'rtpPorts',
  'mediaAddress',
  'maxCalls',
  'prompts',
  'maxMessage',
  'minMessage',
  'maxSilence',
  'maxMessages',
  'pilot',
  'rtpTimeout',
  'idleRtp',
  'webhook',
  'webhookSecret',
  'smtp',
  'smtpFrom',
];

/** `openum serve`: start, print where it listens, stop cleanly on SIGINT/SIGTERM. */
export async function runServe(opts: Record<string, unknown>): Promise<void> {
  const flags: Record<string, unknown> = {};
  for (const k of FLAG_KEYS) if (opts[k] !== undefined) flags[k] = opts[k];
  const config = resolveConfig(flags as RawConfig, typeof opts.config === 'string' ? opts.config : undefined);
  if (config.databaseUrl)
    throw new UsageError('--database-url: the PostgreSQL adapter is not built yet; use the default SQLite store');
  for (const t of config.mwiTarget) {
    let target: MwiTarget;
    try {
      target = parseMwiTarget(t);
    } catch (e) {
      if (e instanceof MwiTargetError) throw new UsageError(e.message);
      throw e;
    }
    if (target.protocol === 'tls' && !config.sips)
      throw new UsageError(`--mwi-target ${t}: TLS needs the TLS transport (--sips)`);
  }
  const server = await startServer(config);
  for (const l of server.listening) process.stdout.write(`openum listening ${l}\n`);
  process.stdout.write('openum ready\n');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      server.stop().then(resolve, (e: unknown) => {
        process.stderr.write(`openum: error while stopping: ${String(e)}\n`);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
