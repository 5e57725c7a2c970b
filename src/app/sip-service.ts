import { Registrar, type RegistrarDelegate, type RegistrarOptions } from '../registrar/registrar.js';
import { createRegisterHandler } from '../registrar/register-handler.js';
import { RequestAuthenticator, type DigestAlgorithm } from '../sip/auth/index.js';
import { UserAgentCore, type CoreDelegate } from '../sip/core.js';
import { RealClock, type Clock } from '../base/clock.js';
import { DialogTable } from '../sip/dialog/index.js';
import type { NotifierHooks } from '../events/notifier.js';
import { wireMwi, type MwiParts } from './mwi-wiring.js';
import { TransportLayer } from '../sip/transport/index.js';
import type { Storage, UserRecord } from '../storage/ports.js';
import { VERSION } from './version.js';
import { MwiForwarder, type MwiForwardOutcome } from '../mwi/mwi-forwarder.js';

/** What the SIP side of the server is built from; tests pass a loopback transport layer and a fake clock. */
export interface SipServiceOptions {
  storage: Storage;
  domain: string;
  digestSecret: Buffer;
  authAlgorithms?: DigestAlgorithm[];
  transports?: TransportLayer;
  clock?: Clock;
  registrar?: Partial<Omit<RegistrarOptions, 'now'>>;
  /** Address for Contact/Via when listening on a wildcard address. */
  advertisedHost?: string;
  coreDelegate?: CoreDelegate;
  registrarDelegate?: RegistrarDelegate;
  /** Peers whose message-summary NOTIFY/PUBLISH is accepted (`--trust`). */
  trust?: readonly string[];
  /** Paced re-sends per second (restart, registrations). */
  resendRatePerSecond?: number;
  /** Delay of the state sent after a registration (default 2 s; see MwiFanout). */
  registrationGraceMs?: number;
  notifierHooks?: NotifierHooks;
  onUnsolicited?(outcome: 'delivered' | 'refused' | 'failed'): void;
  /** `--mwi-target` URIs: every lamp change is sent there (openum as the voicemail, Exchange UM style). */
  mwiTargets?: readonly string[];
  /** One call per forwarding attempt outcome (metric). */
  onMwiForward?(target: string, outcome: MwiForwardOutcome): void;
}

/** The SIP side, wired: UA core, digest auth, registrar. */
export interface SipService extends MwiParts {
  transports: TransportLayer;
  forwarder: MwiForwarder;
  core: UserAgentCore;
  registrar: Registrar;
  /** Digest authentication of requests from users (REGISTER, SUBSCRIBE, INVITE to voicemail). */
  auth: RequestAuthenticator<UserRecord>;
}

/** Wire the SIP core, authentication, the registrar (REGISTER, OPTIONS) and the MWI server (SUBSCRIBE, NOTIFY, PUBLISH). */
export function createSipService(o: SipServiceOptions): SipService {
  const transports = o.transports ?? new TransportLayer();
  const clock = o.clock ?? new RealClock();
  const now = (): number => clock.now();
  const registrar = new Registrar(
    o.storage,
    { ...o.registrar, now },
    {
      onContactRegistered: (b) => {
        o.registrarDelegate?.onContactRegistered?.(b);
        mwiParts.fanout.onContactRegistered(b);
      },
      onContactRemoved: (b, why) => {
        o.registrarDelegate?.onContactRemoved?.(b, why);
        mwiParts.fanout.onContactRemoved(b);
      },
    },
  );
  const core = new UserAgentCore({
    transports,
    product: `openum/${VERSION}`,
    supported: ['path', 'outbound', 'gruu'],
    clock,
    durability: () => o.storage.barrier(),
    // One table for every dialog of the server (subscriptions today, calls next): in-dialog requests are routed there.
    dialogs: new DialogTable(),
    ...(o.advertisedHost && { advertisedHost: o.advertisedHost }),
    delegate: {
      ...o.coreDelegate,
      onFlowClosed: (flowId) => {
        registrar.onFlowClosed(flowId);
        o.coreDelegate?.onFlowClosed?.(flowId);
      },
    },
  });
  const auth = new RequestAuthenticator<UserRecord>({
    defaultRealm: o.domain,
    secret: o.digestSecret,
    clock: { now },
    byName: (name) => o.storage.getUser(name),
    byAlias: (user) => o.storage.findUser(user),
    ...(o.authAlgorithms && { algorithms: o.authAlgorithms }),
  });
  core.onRequest('REGISTER', createRegisterHandler({ registrar, auth, users: o.storage }));
  const mwiParts: MwiParts = wireMwi({
    core,
    storage: o.storage,
    registrar,
    auth,
    clock,
    domain: o.domain,
    trust: o.trust ?? [],
    ...(o.resendRatePerSecond !== undefined && { resendRatePerSecond: o.resendRatePerSecond }),
    ...(o.registrationGraceMs !== undefined && { registrationGraceMs: o.registrationGraceMs }),
    ...(o.notifierHooks && { notifierHooks: o.notifierHooks }),
    ...(o.onUnsolicited && { onUnsolicited: o.onUnsolicited }),
  });
  const forwarder = new MwiForwarder({
    targets: o.mwiTargets ?? [],
    domain: o.domain,
    clock,
    product: `openum/${VERSION}`,
    send: (req, dest, handlers) => {
      core.sendRequest(req, dest, handlers);
    },
    viaFor: (protocol) => core.viaFor(protocol),
    ...(o.onMwiForward && { onOutcome: o.onMwiForward }),
  });
  mwiParts.mwi.onChange((s) => forwarder.onLampChange(s));
  return {
    transports,
    core,
    registrar,
    auth,
    ...mwiParts,
    forwarder,
    start: () => {
      mwiParts.start();
      // after a restart: every mailbox with a lamp state, to every target (queued behind each target's window)
      if (forwarder.targets.length > 0) {
        forwarder.resync(
          o.storage
            .listUsers()
            .filter((u) => u.mwiEnabled)
            .map((u) => mwiParts.mwi.get(u.name))
            .filter((st) => st.version > 0),
        );
      }
    },
    stop: () => {
      forwarder.stop();
      mwiParts.stop();
    },
  };
}
