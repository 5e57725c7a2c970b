import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { buildHttpApp } from '../http/http-app.js';
import type { Transport } from '../sip/transport/index.js';
import type { ServeConfig } from './config.js';
import { UsageError } from './errors.js';
import { formatHostPort } from './host-port.js';
import { createLogger } from './logger.js';
import { openStorage } from './open-storage.js';
import { createSipService } from './sip-service.js';
import { createMetrics } from './metrics.js';
import { apiCredentials, lampWatch, mwiApi } from './http-wiring.js';
import { startTls, startUdpAndTcp, startWs } from './sip-listeners.js';
import { loadOrCreateTlsCredentials, TlsCredentialsError } from './tls-credentials.js';
import { VERSION } from './version.js';
import { messagesApi } from './message-wiring.js';
import { join } from 'node:path';
import { wireVoicemail } from './voicemail-wiring.js';
import { DepositNotifications } from './notify/deposit-notifications.js';
import { createVoicemailMetrics } from './voicemail-metrics.js';

/** A running server. */
export interface RunningServer {
  /** `udp 127.0.0.1:5060`, `tcp ...`, `tls ...`, `http ...`, `ws .../sip`: what `openum serve` prints. */
  listening: string[];
  stop(): Promise<void>;
}

/** How often expired bindings are swept (RFC 3261 section 10.3: a binding lapses at its expiry). */
const SWEEP_MS = 10_000;

/** The nonce secret of this data folder, made once (so nonces survive a restart). */
function digestSecret(storage: ReturnType<typeof openStorage>): Buffer {
  let hex = storage.getSetting('digest-secret');
  if (!hex) {
    hex = randomBytes(32).toString('hex');
    storage.setSetting('digest-secret', hex);
  }
  return Buffer.from(hex, 'hex');
}

/**
 * The address we name in Contact and Via when listening on a wildcard
 * address: the first external IPv4 (or IPv6) interface, else loopback.
 */
function advertisedHost(listenHost: string): string {
  if (listenHost !== '0.0.0.0' && listenHost !== '::') return listenHost;
  const all = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal);
  return all.find((i) => i!.family === 'IPv4')?.address ?? all[0]?.address ?? '127.0.0.1';
}

/** Wire everything together and start listening (the composition root). */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const storage = openStorage(config.data, { server: true });
  storage.setSetting('domain', config.domain);
  const otherRealm = storage
    .listUsers()
    .filter((u) => u.realm !== config.domain)
    .map((u) => u.name);
  if (otherRealm.length > 0) {
    log.warn(
      { users: otherRealm.slice(0, 10), count: otherRealm.length, domain: config.domain },
      'users whose password was set for another domain are challenged with that realm (it works, but shows they exist); ' +
        '`openum user set NAME --password P` moves one to this domain',
    );
  }

  // Read at scrape time, after svc exists.
  const metrics = createMetrics({
    subscriptions: () => svc.notifier.size,
    registrations: () => storage.countBindings(),
  });
  const svc = createSipService({
    trust: config.trust,
    notifierHooks: metrics.notifierHooks,
    onUnsolicited: metrics.unsolicited,
    mwiTargets: config.mwiTarget,
    onMwiForward: metrics.mwiForward,
    storage,
    domain: config.domain,
    digestSecret: digestSecret(storage),
    authAlgorithms: config.authAlgorithms,
    advertisedHost: advertisedHost(config.sip.host),
    coreDelegate: {
      onParseError: (d, e) => log.debug({ from: d.source, code: e.code, err: e.message }, 'unparseable message'),
      onHandlerError: (req, e) => log.error({ method: req.method, err: e }, 'request handler failed'),
    },
    registrarDelegate: {
      onContactRegistered: (b) => log.info({ user: b.user, contact: b.uri, via: b.source.protocol }, 'registered'),
      onContactRemoved: (b, why) => log.info({ user: b.user, contact: b.uri, why }, 'contact removed'),
    },
  });

  svc.mwi.onUpdate((u) => metrics.mwiUpdate(u.source));
  const { transports, core, registrar } = svc;
  const vmMetrics = createVoicemailMetrics(metrics.registry, {
    activeCalls: () => vm.service.activeCalls,
    underruns: () => vm.playout.underruns,
  });
  // made once HTTP listens (the webhook's audio URLs need its address); deposits before that notify nobody
  let notifications: DepositNotifications | undefined;
  const vm = wireVoicemail({
    core,
    storage,
    mwi: svc.mwi,
    auth: svc.auth,
    clock: core.transactions.clock,
    trust: config.trust,
    data: config.data,
    config: config.voicemail,
    onCallStart: (kind) => {
      vmMetrics.callStarted(kind);
      log.info({ kind }, 'voicemail call');
    },
    onCallEnd: (outcome) => {
      vmMetrics.callEnded(outcome);
      log.info({ outcome }, 'voicemail call ended');
    },
    onRtpStats: (s) => vmMetrics.rtp(s),
    onDeposit: (m) => {
      vmMetrics.deposited();
      const u = storage.getUser(m.mailbox);
      if (u && notifications)
        notifications.onDeposit(
          m,
          { name: u.name, email: u.email, displayName: u.displayName },
          {
            path: join(config.data, 'audio', m.audioPath),
          },
        );
    },
    onError: (what, err) => log.warn({ err }, what),
  });
  const swept = await vm.start();
  if (swept > 0) log.info({ files: swept }, 'removed audio files a crash left without their message');
  const http = buildHttpApp({
    version: VERSION,
    health: () => ({ registrations: storage.countBindings(), subscriptions: svc.notifier.size }),
    metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    mwi: mwiApi(storage, svc.mwi),
    credentials: apiCredentials(storage),
    messages: messagesApi(storage, vm.mailboxes),
    lamps: lampWatch(svc.mwi),
    clock: core.transactions.clock,
    allowInsecureBasic: config.allowInsecureBasic,
    findUser: (n) => {
      const u = storage.findUser(n);
      return u && { name: u.name, displayName: u.displayName };
    },
    ntlm: {
      domain: config.domain,
      lookup: (n) => {
        const u = storage.getUser(n);
        return u && { name: u.name, ntHash: u.ntHash };
      },
    },
  });
  const listening: string[] = [];
  const started: Transport[] = [];
  const stopAll = async (): Promise<void> => {
    notifications?.stop();
    vm.stop();
    svc.stop();
    core.close();
    await Promise.allSettled(started.map((t) => t.stop()));
    await http.close().catch(() => undefined);
    storage.close();
  };
  try {
    const [udp, tcp] = await startUdpAndTcp(config.sip);
    started.push(udp, tcp);
    listening.push(
      `udp ${formatHostPort(udp.local.address, udp.local.port)}`,
      `tcp ${formatHostPort(tcp.local.address, tcp.local.port)}`,
    );
    if (config.sips) {
      const creds = await loadOrCreateTlsCredentials(config.data, {
        ...(config.tlsCert && { certFile: config.tlsCert }),
        ...(config.tlsKey && { keyFile: config.tlsKey }),
        hostnames: ['localhost', config.domain, '127.0.0.1', '::1'],
      });
      if (creds.generated) log.info({ dir: config.data }, 'generated a self-signed TLS certificate');
      const tls = await startTls(config.sips, creds.cert, creds.key);
      started.push(tls);
      listening.push(`tls ${formatHostPort(tls.local.address, tls.local.port)}`);
    }
    await http.listen({ host: config.http.host, port: config.http.port });
    // Upgrades on any path but /sip are not ours to serve: close them rather than leave them open.
    http.server.on('upgrade', (req: { url?: string }, socket: { destroy(): void }) => {
      if ((req.url ?? '').split('?')[0] !== '/sip') socket.destroy();
    });
    const ws = await startWs(http.server);
    started.push(ws);
    const addr = http.server.address() as AddressInfo;
    notifications = DepositNotifications.fromConfig(config.notify, {
      settings: storage,
      // a wildcard listener is named by the address phones reach (advertisedHost returns any other as it is)
      publicBaseUrl: `http://${formatHostPort(advertisedHost(addr.address), addr.port)}`,
      log,
      onOutcome: (channel, outcome) => vmMetrics.notification(channel, outcome),
    });
    listening.push(
      `http ${formatHostPort(addr.address, addr.port)}`,
      `ws ${formatHostPort(addr.address, addr.port)}/sip`,
    );
  } catch (e) {
    await stopAll();
    if (e instanceof TlsCredentialsError) throw new UsageError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen: ${err.message}`);
    }
    throw e;
  }
  for (const t of started) transports.add(t);
  svc.start();

  const sweeper = setInterval(() => {
    try {
      registrar.sweepExpired();
    } catch (e) {
      log.error({ err: e }, 'binding sweep failed');
    }
  }, SWEEP_MS);
  sweeper.unref();
  log.info({ listening, domain: config.domain, data: config.data }, 'openum started');

  return {
    listening,
    stop: async () => {
      clearInterval(sweeper);
      await stopAll();
      log.info('openum stopped');
      log.flush();
    },
  };
}
