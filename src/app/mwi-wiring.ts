import { Notifier, type NotifierHooks } from '../events/notifier.js';
import {
  MESSAGE_SUMMARY,
  createMessageSummaryPackage,
  messageSummaryBodyCache,
} from '../events/packages/message-summary/message-summary-package.js';
import { ROAMING_SELF, createRoamingSelfPackage } from '../events/packages/vnd-microsoft-roaming-self/index.js';
import { MwiFanout } from '../mwi/mwi-fanout.js';
import { MwiService } from '../mwi/mwi-service.js';
import { createMwiNotifyHandler, createMwiPublishHandler } from '../mwi/sip-mwi-input.js';
import { TrustedPeers } from '../mwi/trusted-peers.js';
import { createUnsolicitedSender } from '../mwi/unsolicited-notify.js';
import type { Registrar } from '../registrar/registrar.js';
import type { RequestAuthenticator } from '../sip/auth/index.js';
import type { UserAgentCore } from '../sip/core.js';
import type { Clock } from '../base/clock.js';
import type { Storage, UserRecord } from '../storage/ports.js';

export interface MwiWiringOptions {
  core: UserAgentCore;
  storage: Storage;
  registrar: Registrar;
  auth: RequestAuthenticator<UserRecord>;
  clock: Clock;
  domain: string;
  trust: readonly string[];
  resendRatePerSecond?: number;
  /** Delay of the state sent after a registration (see MwiFanout). */
  registrationGraceMs?: number;
  notifierHooks?: NotifierHooks;
  onUnsolicited?(outcome: 'delivered' | 'refused' | 'failed'): void;
}

export interface MwiParts {
  mwi: MwiService;
  notifier: Notifier;
  fanout: MwiFanout;
  /** Start: restore subscriptions, re-send state to everyone (paced). */
  start(): void;
  stop(): void;
}

/**
 * Wire the MWI server: the message-summary package into the notifier, the
 * MWI state service, SUBSCRIBE / NOTIFY / PUBLISH handlers on the core, and
 * the fan-out to subscriptions and registered contacts.
 */
export function wireMwi(o: MwiWiringOptions): MwiParts {
  const { core, storage, clock, domain } = o;
  const mwi = new MwiService(storage, () => clock.now(), false);
  const findMailbox = (userPart: string): { name: string; mwiEnabled: boolean } | undefined => {
    const u = storage.findUser(userPart);
    return u && { name: u.name, mwiEnabled: u.mwiEnabled };
  };
  const state = (mailbox: string): { counts: ReturnType<MwiService['get']>['counts']; version: number } =>
    mwi.get(mailbox);
  const trusted = new TrustedPeers(o.trust);
  const notifier = new Notifier({
    store: storage,
    clock,
    exemptAddress: (address) => trusted.has(address),
    transport: {
      sendRequest: (req, dest, handlers) => core.sendRequest(req, dest, handlers),
      sendStateless: (req, dest) => core.sendStateless(req, dest),
      viaFor: (protocol) => core.viaFor(protocol),
    },
    authenticate: (req) => {
      const r = o.auth.authenticate(req);
      return 'user' in r ? { user: r.user.name } : r;
    },
    ...(o.resendRatePerSecond !== undefined && { resendRatePerSecond: o.resendRatePerSecond }),
    ...(o.notifierHooks && { hooks: o.notifierHooks }),
    ...(core.dialogs && { dialogs: core.dialogs }),
  });
  // One body per mailbox version, for the subscriptions' NOTIFYs and the unsolicited ones alike.
  const bodies = messageSummaryBodyCache();
  notifier.register(createMessageSummaryPackage({ findMailbox, state, domain, bodies }));
  notifier.register(
    createRoamingSelfPackage({
      findMailbox,
      domain,
      // A lamp that never changed was published when its user was created (not at the epoch).
      state: (m) => {
        const s = mwi.get(m);
        return s.changedAt > 0 ? s : { ...s, changedAt: storage.getUser(m)?.createdAt ?? clock.now() };
      },
    }),
  );

  const fanout = new MwiFanout({
    notifier,
    clock,
    events: [MESSAGE_SUMMARY, ROAMING_SELF],
    bindings: (user) => o.registrar.lookup(user),
    allBindings: () => storage.listAllBindings().filter((b) => b.expiresAt > clock.now()),
    userWants: (user) => {
      const u = storage.getUser(user);
      return !!u && u.mwiEnabled && u.unsolicitedMwi;
    },
    state: (mailbox) => mwi.get(mailbox),
    ...(o.resendRatePerSecond !== undefined && { resendRatePerSecond: o.resendRatePerSecond }),
    ...(o.onUnsolicited && { onUnsolicited: o.onUnsolicited }),
    ...(o.registrationGraceMs !== undefined && { registrationGraceMs: o.registrationGraceMs }),
    sendUnsolicited: createUnsolicitedSender({
      state,
      domain,
      bodies,
      send: (req, dest, handlers) => {
        core.sendRequest(req, dest, handlers);
      },
      viaFor: (protocol) => core.viaFor(protocol),
    }),
  });
  mwi.onChange((s) => fanout.onLampChange(s));

  const inputs = { mwi, trusted, findMailbox, now: () => clock.now() };
  core.onRequest('SUBSCRIBE', (req, ctx) => notifier.handleSubscribe(req, ctx));
  core.onRequest('NOTIFY', createMwiNotifyHandler(inputs));
  core.onRequest('PUBLISH', createMwiPublishHandler(inputs));

  let poll: ReturnType<Clock['setTimeout']> | undefined;
  const schedulePoll = (): void => {
    poll = clock.setTimeout(() => {
      mwi.pollExternal();
      mwi.expirePublications();
      schedulePoll();
    }, 500);
  };
  return {
    mwi,
    notifier,
    fanout,
    start: () => {
      notifier.start();
      fanout.resendAll();
      schedulePoll();
    },
    stop: () => {
      if (poll) clock.clearTimeout(poll);
      notifier.stop();
      fanout.stop();
    },
  };
}
