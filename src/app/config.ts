import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { parseHostPort, type HostPort } from './host-port.js';
import { parseSender } from './notify/email-address.js';
import { parsePortRange, PortPoolError } from '../media/port-pool.js';

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
  /** `--allow-insecure-basic`: EWS takes Basic over plain HTTP from other hosts than loopback. */
  allowInsecureBasic: boolean;
  voicemail: VoicemailConfig;
  notify: NotifyConfig;
}

/** What goes out on each deposit (`--webhook`, `--smtp`). */
export interface NotifyConfig {
  /** `--webhook URL` (http or https): each new message is POSTed there, signed. */
  webhook: string | null;
  /** `--webhook-secret S`; null: the secret generated once and kept in the settings table. */
  webhookSecret: string | null;
  /** `--smtp URL` (smtp:// or smtps://, credentials in the URL): e-mail to users with an address. */
  smtp: string | null;
  /** `--smtp-from ADDR`; default `openum@DOMAIN`. */
  smtpFrom: string;
}

/** Voicemail settings, in ms where they are times. */
export interface VoicemailConfig {
  /** `--rtp-ports` */
  rtpPorts: { lo: number; hi: number };
  /** `--media-address`: put in SDP instead of the address a call came in on (NAT). */
  mediaAddress: string | null;
  maxCalls: number;
  /** `--prompts DIR` laid out like Asterisk's sounds; null: the built-in set only. */
  prompts: string | null;
  maxMessageMs: number;
  minMessageMs: number;
  maxSilenceMs: number;
  /** Messages a mailbox holds at most. */
  maxMessages: number;
  /** The pilot's user part. */
  pilot: string;
  rtpTimeoutMs: number;
  /** `--idle-rtp`: what a call sends while it has nothing to play (media/rtp-sender.ts). */
  idleRtp: 'keepalive' | 'silence' | 'nothing';
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
    allowInsecureBasic: z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    authAlgorithms: z.array(z.enum(['SHA-256', 'MD5'])).min(1),
    rtpPorts: z.string().regex(/^\d{1,5}-\d{1,5}$/, 'LO-HI, e.g. 10000-20000'),
    mediaAddress: z.ipv4().or(z.ipv6()),
    maxCalls: z.coerce.number().int().min(1).max(100_000),
    prompts: z.string().min(1),
    maxMessage: z.coerce.number().min(1).max(3600),
    minMessage: z.coerce.number().min(0).max(60),
    maxSilence: z.coerce.number().min(1).max(600),
    maxMessages: z.coerce.number().int().min(1).max(100_000),
    pilot: z.string().regex(/^[A-Za-z0-9._~-]+$/, 'a SIP user part such as voicemail'),
    rtpTimeout: z.coerce.number().min(1).max(3600),
    idleRtp: z.enum(['keepalive', 'silence', 'none']),
    webhook: z.string(),
    webhookSecret: z.string().min(16, 'at least 16 characters'),
    smtp: z.string(),
    smtpFrom: z.string(),
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
  OPENUM_ALLOW_INSECURE_BASIC: 'allowInsecureBasic',
  OPENUM_LOG_LEVEL: 'logLevel',
  OPENUM_AUTH_ALGORITHMS: 'authAlgorithms',
  OPENUM_RTP_PORTS: 'rtpPorts',
  OPENUM_MEDIA_ADDRESS: 'mediaAddress',
  OPENUM_MAX_CALLS: 'maxCalls',
  OPENUM_PROMPTS: 'prompts',
  OPENUM_MAX_MESSAGE: 'maxMessage',
  OPENUM_MIN_MESSAGE: 'minMessage',
  OPENUM_MAX_SILENCE: 'maxSilence',
  OPENUM_MAX_MESSAGES: 'maxMessages',
  OPENUM_PILOT: 'pilot',
  OPENUM_RTP_TIMEOUT: 'rtpTimeout',
  OPENUM_IDLE_RTP: 'idleRtp',
  OPENUM_WEBHOOK: 'webhook',
  OPENUM_WEBHOOK_SECRET: 'webhookSecret',
  OPENUM_SMTP: 'smtp',
  OPENUM_SMTP_FROM: 'smtpFrom',
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
  const domain = (merged.domain ?? DEFAULTS.domain).toLowerCase();
  return {
    data: resolve(merged.data ?? DEFAULTS.data),
    domain,
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
    allowInsecureBasic: [true, 'true', '1'].includes(merged.allowInsecureBasic ?? false),
    voicemail: voicemailSettings(merged),
    notify: notifySettings(merged, domain),
  };
}

/** The deposit notifications of a merged layer; each URL checked here so that a typo stops the start. */
function notifySettings(m: RawConfig, domain: string): NotifyConfig {
  if (m.webhook !== undefined) checkUrl(m.webhook, '--webhook', ['http:', 'https:']);
  if (m.smtp !== undefined) checkUrl(m.smtp, '--smtp', ['smtp:', 'smtps:']);
  if (m.webhookSecret !== undefined && m.webhook === undefined)
    throw new UsageError('--webhook-secret goes with --webhook');
  if (m.smtpFrom !== undefined && m.smtp === undefined) throw new UsageError('--smtp-from goes with --smtp');
  if (m.smtpFrom !== undefined && !parseSender(m.smtpFrom))
    throw new UsageError(`--smtp-from "${m.smtpFrom}": an address such as voicemail@example.com, or NAME <ADDRESS>`);
  return {
    webhook: m.webhook ?? null,
    webhookSecret: m.webhookSecret ?? null,
    smtp: m.smtp ?? null,
    smtpFrom: m.smtpFrom ?? `openum@${domain}`,
  };
}

/** An absolute URL of one of `schemes`, with a host; credentials only where the scheme carries them (SMTP AUTH). */
function checkUrl(text: string, flag: string, schemes: string[]): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag}: "${text}" is not a URL`);
  }
  if (!schemes.includes(url.protocol) || url.hostname === '')
    throw new UsageError(`${flag}: "${text}": use ${schemes.map((s) => `${s}//HOST...`).join(' or ')}`);
  // fetch refuses a URL with credentials; the signature is the webhook's authentication.
  if (url.protocol.startsWith('http') && (url.username !== '' || url.password !== ''))
    throw new UsageError(`${flag}: no user:password in the URL (the request is signed with --webhook-secret)`);
}

/** The voicemail settings of a merged layer, with Asterisk-like defaults (seconds on the command line). */
function voicemailSettings(m: RawConfig): VoicemailConfig {
  let range: { lo: number; hi: number };
  try {
    range = parsePortRange(m.rtpPorts ?? '10000-20000');
  } catch (e) {
    if (e instanceof PortPoolError) throw new UsageError(`--rtp-ports: ${e.message}`);
    throw e;
  }
  // below 1024 are the privileged ports of other services
  if (range.lo < 1024) throw new UsageError('--rtp-ports: LO-HI within 1024-65535, LO < HI');
  const minMessage = m.minMessage ?? 2;
  const maxMessage = m.maxMessage ?? 180;
  if (minMessage >= maxMessage) throw new UsageError('--min-message must be shorter than --max-message');
  return {
    rtpPorts: range,
    mediaAddress: m.mediaAddress ?? null,
    maxCalls: m.maxCalls ?? 500,
    prompts: m.prompts ? resolve(m.prompts) : null,
    maxMessageMs: maxMessage * 1000,
    minMessageMs: minMessage * 1000,
    maxSilenceMs: (m.maxSilence ?? 10) * 1000,
    maxMessages: m.maxMessages ?? 100,
    pilot: m.pilot ?? 'voicemail',
    rtpTimeoutMs: (m.rtpTimeout ?? 30) * 1000,
    idleRtp: m.idleRtp === 'none' ? 'nothing' : (m.idleRtp ?? 'keepalive'),
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
