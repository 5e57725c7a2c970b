/**
 * `openum phone`: a SIP phone for people (CONTRACT.md). Checks the flags,
 * opens one transport towards the server, runs the phone of src/phone/
 * and prints its lines; on SIGINT/SIGTERM unsubscribes and unregisters,
 * then returns (exit 0). Failures before the phone is up become a
 * UsageError: one line on stderr, exit code 2.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ClientTlsTransport } from '../phone/client-tls-transport.js';
import { DIALECTS, type Dialect } from '../phone/lamp.js';
import { PhoneError } from '../phone/phone-error.js';
import { Phone } from '../phone/phone.js';
import { discoverEwsUrl, listVoiceMessages, messageLine } from '../phone/voice-messages.js';
import type { TxProtocol } from '../sip/transaction/index.js';
import { TcpTransport, TransportLayer, UdpTransport, type Transport } from '../sip/transport/index.js';
import { WsClientTransport } from '../sip/transport/ws-client-transport.js';
import { UsageError } from './errors.js';
import { formatHostPort, parseHostPort } from './host-port.js';
import { VERSION } from './version.js';

/** The flags of `openum phone`, as commander hands them over. */
export interface PhoneCommandOptions {
  server?: string;
  user?: string;
  password?: string;
  dialect?: string;
  transport?: string;
  domain?: string;
  /** PEM file of the CA (or the self-signed server certificate) to trust over TLS. */
  tlsCa?: string;
  /** Accept any server certificate (TLS). */
  tlsInsecure?: boolean;
  /** The data folder of a server on this machine: its self-signed certificate is trusted over TLS. */
  data?: string;
  /** Where Autodiscover and EWS answer (HOST:PORT or a URL); default the server's host, port 8080. */
  http?: string;
}

const TRANSPORTS = ['udp', 'tcp', 'tls', 'ws'] as const;
type PhoneTransport = (typeof TRANSPORTS)[number];

/** How long stop() may take before the process gives up on the server (CONTRACT: ~5 s in all). */
const STOP_BOUND_MS = 4000;

/** A SIP user part we can write without escaping (RFC 3261 section 25.1 `unreserved`, a subset). */
const USER_RE = /^[A-Za-z0-9._~+-]{1,64}$/;
/** A domain: a host name or an IP address (RFC 3261 section 25.1 `host`, without IPv6 here). */
const DOMAIN_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

interface CheckedOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  dialect: Dialect;
  transport: PhoneTransport;
  domain: string;
  tlsCa: Buffer | undefined;
  tlsInsecure: boolean;
  /** Base URL of Autodiscover and EWS. */
  http: string;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** The flags, checked; UsageError for anything wrong. */
export function checkPhoneOptions(o: Record<string, unknown>): CheckedOptions {
  const server = str(o, 'server');
  if (server === undefined) throw new UsageError('--server HOST:PORT is required');
  const hp = parseHostPort(server, '--server');
  if (!/:\d+$/.test(server.trim()) || hp.port === 0)
    throw new UsageError(`--server: expected HOST:PORT with a port, got "${server}"`);
  const user = str(o, 'user');
  if (user === undefined || !USER_RE.test(user))
    throw new UsageError('--user: a user name of letters, digits and . _ ~ + - is required');
  const password = str(o, 'password');
  if (password === undefined || password === '') throw new UsageError('--password is required');
  const dialect = str(o, 'dialect') ?? 'rfc3842';
  if (!(DIALECTS as readonly string[]).includes(dialect))
    throw new UsageError(`--dialect: expected ${DIALECTS.join(' or ')}, got "${dialect}"`);
  const transport = str(o, 'transport') ?? 'udp';
  if (!(TRANSPORTS as readonly string[]).includes(transport))
    throw new UsageError(`--transport: expected ${TRANSPORTS.join(', ')}, got "${transport}"`);
  const domain = str(o, 'domain') ?? 'localhost';
  if (!DOMAIN_RE.test(domain)) throw new UsageError(`--domain: "${domain}" is not a host name`);
  let caFile = str(o, 'tlsCa');
  let tlsCa: Buffer | undefined;
  const data = str(o, 'data');
  if (caFile === undefined && data !== undefined && transport === 'tls') {
    // CONTRACT.md: every command takes --data; the phone's use of it is the certificate `serve --sips` made there
    const own = join(data, 'tls', 'cert.pem');
    if (existsSync(own)) caFile = own;
  }
  if (caFile !== undefined) {
    try {
      tlsCa = readFileSync(caFile);
    } catch (e) {
      throw new UsageError(`--tls-ca: cannot read ${caFile}: ${(e as Error).message}`);
    }
  }
  const httpOpt = str(o, 'http');
  let http: string;
  if (httpOpt !== undefined && /^https?:\/\//.test(httpOpt)) {
    try {
      http = new URL(httpOpt).origin;
    } catch {
      throw new UsageError(`--http: "${httpOpt}" is not a URL`);
    }
  } else {
    const h = parseHostPort(httpOpt ?? `${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:8080`, '--http');
    http = `http://${formatHostPort(h.host, h.port)}`;
  }
  return {
    http,
    host: hp.host,
    port: hp.port,
    user,
    password,
    dialect: dialect as Dialect,
    transport: transport as PhoneTransport,
    domain,
    tlsCa,
    tlsInsecure: o['tlsInsecure'] === true,
  };
}

/** What the user can do about a failure, in terms of the flags. */
function hintFor(e: PhoneError): string {
  if (e.code === 'auth-failed') return '; check --user and --password';
  if (e.code === 'unreachable' && /certificate|self.signed|unable to verify/i.test(e.message)) {
    return '; trust the server with --tls-ca FILE (or --tls-insecure)';
  }
  return '';
}

/** The local address the OS would use to reach `address` (a connected UDP socket sends nothing). */
async function localAddressFor(address: string, port: number): Promise<string> {
  const v6 = isIP(address) === 6;
  const s = createSocket(v6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(port, address, () => resolve());
    });
    return s.address().address;
  } catch {
    return v6 ? '::' : '0.0.0.0';
  } finally {
    s.close();
  }
}

function transportFor(c: CheckedOptions, address: string, local: string): Transport {
  switch (c.transport) {
    case 'udp':
      return new UdpTransport({ address: local, port: 0, stun: false });
    case 'tcp':
      return new TcpTransport({ address: local, port: 0 });
    case 'tls':
      return new ClientTlsTransport({
        address: local,
        clientOptions: {
          ...(c.tlsCa !== undefined && { ca: c.tlsCa }),
          ...(c.tlsInsecure && { rejectUnauthorized: false }),
          ...(isIP(c.host) === 0 && { servername: c.host }),
        },
      });
    case 'ws':
      return new WsClientTransport({
        url: `ws://${formatHostPort(isIP(c.host) === 0 ? c.host : address, c.port)}/sip`,
      });
  }
}

/**
 * After each lamp change, the voice messages over EWS (Autodiscover first,
 * its answer kept until a fetch fails): a header line and one line per
 * message. Fetches never overlap (a change during one fetches again after
 * it); a failure is one warning on stderr until a fetch works again.
 */
function messageLister(c: CheckedOptions): () => void {
  let ewsUrl: string | undefined;
  let running = false;
  let again = false;
  let warned = false;
  const fetchOnce = async (): Promise<void> => {
    try {
      ewsUrl ??= await discoverEwsUrl(c.http, `${c.user}@${c.domain}`, c.user, c.password);
      const list = await listVoiceMessages(ewsUrl, c.user, c.password);
      process.stdout.write(`messages ${c.user}: ${list.length} (EWS ${ewsUrl})\n`);
      for (const m of list) process.stdout.write(`${messageLine(m)}\n`);
      warned = false;
    } catch (e) {
      ewsUrl = undefined;
      if (!warned) process.stderr.write(`openum phone: voice messages from ${c.http}: ${(e as Error).message}\n`);
      warned = true;
    }
  };
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        await fetchOnce();
      } while (again);
      running = false;
    })();
  };
}

/**
 * `openum phone --server HOST:PORT --user NAME --password P [--dialect
 * rfc3842|lync] [--transport udp|tcp|tls|ws] [--domain D] [--tls-ca FILE] [--data DIR]
 * [--tls-insecure]`. Resolves after a clean stop (SIGINT/SIGTERM); throws
 * UsageError for bad flags, an unreachable server or a refused
 * registration or subscription.
 */
export async function runPhone(opts: Record<string, unknown>): Promise<void> {
  const c = checkPhoneOptions(opts);
  const label = formatHostPort(c.host, c.port);
  let address: string;
  try {
    address = isIP(c.host) !== 0 ? c.host : (await lookup(c.host)).address;
  } catch (e) {
    throw new UsageError(`--server: cannot resolve ${c.host}: ${(e as Error).message}`);
  }
  const transport = transportFor(c, address, await localAddressFor(address, c.port));
  const transports = new TransportLayer({ transports: [transport] });
  try {
    await transports.start();
  } catch (e) {
    await transports.stop();
    throw new UsageError(`cannot reach ${label} over ${c.transport}: ${(e as Error).message}`);
  }
  const phone = new Phone({
    transports,
    server: { protocol: c.transport as TxProtocol, address, port: c.port },
    serverLabel: label,
    user: c.user,
    password: c.password,
    domain: c.domain,
    dialect: c.dialect,
    product: `openum-phone/${VERSION}`,
    delegate: {
      onLine: (line) => process.stdout.write(`${line}\n`),
      onWarning: (line) => process.stderr.write(`openum phone: ${line}\n`),
      onLamp: messageLister(c),
    },
  });
  let signalled = false;
  let onStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onStopped = resolve;
  });
  const onSignal = (): void => {
    if (signalled) return;
    signalled = true;
    void phone.stop(STOP_BOUND_MS).then(onStopped);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    try {
      await phone.start();
    } catch (e) {
      if (signalled) return;
      throw new UsageError(`${c.user} at ${label}: ${e instanceof PhoneError ? e.message + hintFor(e) : String(e)}`);
    }
    await stopped;
  } finally {
    if (signalled) await phone.stop(STOP_BOUND_MS);
    await transports.stop();
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Should a socket linger, do not let it hold the process past the bound.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  }
}
