import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { parseHostPort, type HostPort } from './host-port.js';

/**
 * The server's settings. Sources, weakest first: defaults, the YAML file of
 * `--config`, `OPENUM_*` environment variables, command-line flags
 * (CONTRACT.md, `openum serve`).
 */
export interface ServeConfig {
  data: string;
  domain: string;
  sip: HostPort;
  sips: HostPort | null;
  http: HostPort;
  tlsCert: string | null;
  tlsKey: string | null;
  trust: string[];
  mwiTarget: string[];
  databaseUrl: string | null;
  logLevel: string;
  /** Digest algorithms offered, in order (RFC 8760 section 2.4); default MD5 only, see DEFAULTS. */
  authAlgorithms: ('SHA-256' | 'MD5')[];
}

/** What a layer of settings may hold: every key optional, strings as typed by users. */
const rawSchema = z
  .object({
    data: z.string().min(1),
    domain: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a host name such as example.com'),
    sip: z.string(),
    sips: z.string(),
    http: z.string(),
    tlsCert: z.string(),
    tlsKey: z.string(),
    trust: z.array(z.string()),
    mwiTarget: z.array(z.string()),
    databaseUrl: z.string(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    authAlgorithms: z.array(z.enum(['SHA-256', 'MD5'])).min(1),
  })
  .partial()
  .strict();

export type RawConfig = z.infer<typeof rawSchema>;

const DEFAULTS: Required<Pick<RawConfig, 'data' | 'domain' | 'sip' | 'http' | 'logLevel' | 'authAlgorithms'>> = {
  data: './data',
  domain: 'localhost',
  sip: '0.0.0.0:5060',
  http: '0.0.0.0:8080',
  logLevel: 'info',
  // MD5 only by default, as Asterisk, Kamailio and FreeSWITCH do: SIPp 3.6.1 aborts when
  // SHA-256 is offered first and baresip 1.0.0 fails when any challenge is not MD5 (test/support/peer-compat.ts).
  // RFC 8760 clients get SHA-256 with `--auth-algorithms SHA-256,MD5`.
  authAlgorithms: ['MD5'],
};

const ENV_KEYS: Record<string, keyof RawConfig> = {
  OPENUM_DATA: 'data',
  OPENUM_DOMAIN: 'domain',
  OPENUM_SIP: 'sip',
  OPENUM_SIPS: 'sips',
  OPENUM_HTTP: 'http',
  OPENUM_TLS_CERT: 'tlsCert',
  OPENUM_TLS_KEY: 'tlsKey',
  OPENUM_TRUST: 'trust',
  OPENUM_MWI_TARGET: 'mwiTarget',
  OPENUM_DATABASE_URL: 'databaseUrl',
  OPENUM_LOG_LEVEL: 'logLevel',
  OPENUM_AUTH_ALGORITHMS: 'authAlgorithms',
};
const LIST_KEYS = new Set<keyof RawConfig>(['trust', 'mwiTarget', 'authAlgorithms']);

function check(layer: unknown, where: string): RawConfig {
  const r = rawSchema.safeParse(layer);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new UsageError(`${where}: ${first ? `${first.path.join('.') || 'settings'}: ${first.message}` : 'invalid'}`);
  }
  return r.data;
}

/** Read `OPENUM_*` variables; lists are comma-separated. */
export function configFromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    out[key] = LIST_KEYS.has(key)
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  }
  return check(out, 'environment');
}

/** Read the YAML file of `--config`; its keys are the flag names in camelCase or kebab-case. */
export function configFromFile(file: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (e) {
    throw new UsageError(`--config ${file}: not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc) || doc === null)
    throw new UsageError(`--config ${file}: expected a mapping`);
  const camel: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    const key = k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    camel[key] = LIST_KEYS.has(key as keyof RawConfig) && typeof v === 'string' ? [v] : v;
  }
  return check(camel, `--config ${file}`);
}

/** Merge the layers (later wins) and validate the result. */
export function resolveConfig(
  flags: RawConfig,
  configPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const checkedFlags = check(flags, 'options');
  const fromFile = configPath ? configFromFile(configPath) : {};
  const merged: RawConfig = { ...DEFAULTS, ...fromFile, ...configFromEnv(env), ...checkedFlags };
  const sips = merged.sips ? parseHostPort(merged.sips, '--sips') : null;
  for (const cidr of merged.trust ?? []) parseCidr(cidr);
  if ((merged.tlsCert === undefined) !== (merged.tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  return {
    data: resolve(merged.data ?? DEFAULTS.data),
    domain: (merged.domain ?? DEFAULTS.domain).toLowerCase(),
    sip: parseHostPort(merged.sip ?? DEFAULTS.sip, '--sip'),
    sips,
    http: parseHostPort(merged.http ?? DEFAULTS.http, '--http'),
    tlsCert: merged.tlsCert ?? null,
    tlsKey: merged.tlsKey ?? null,
    trust: merged.trust ?? [],
    mwiTarget: merged.mwiTarget ?? [],
    databaseUrl: merged.databaseUrl ?? null,
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    authAlgorithms: merged.authAlgorithms ?? DEFAULTS.authAlgorithms,
  };
}

/** Validate `ADDRESS/BITS` or a bare address (a /32 or /128). */
export function parseCidr(text: string): { address: string; bits: number } {
  const [address = '', bitsText] = text.split('/');
  const v = isIP(address);
  const ok = v !== 0;
  const bits = bitsText === undefined ? (v === 4 ? 32 : 128) : Number(bitsText);
  if (!ok || !Number.isInteger(bits) || bits < 0 || bits > (v === 4 ? 32 : 128)) {
    throw new UsageError(`--trust: "${text}" is not an address or CIDR block`);
  }
  return { address, bits };
}
