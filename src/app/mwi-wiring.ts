import { Notifier, type NotifierHooks } from '../events/notifier.js';
import {
  MESSAGE_SUMMARY, MESSAGE_SUMMARY_TYPE, createMessageSummaryPackage, messageSummaryBody, messageSummaryBodyCache,
} from '../events/packages/message-summary/message-summary-package.js';
import { ROAMING_SELF, createRoamingSelfPackage } from '../events/packages/vnd-microsoft-roaming-self/index.js';
import { MwiFanout } from '../mwi/mwi-fanout.js';
import { MwiService } from '../mwi/mwi-service.js';
import { createMwiNotifyHandler, createMwiPublishHandler } from '../mwi/sip-mwi-input.js';
import { TrustedPeers } from '../mwi/trusted-peers.js';
import type { Registrar } from '../registrar/registrar.js';
import type { RequestAuthenticator } from '../registrar/request-authenticator.js';
import type { UserAgentCore } from '../sip/core.js';
import { contactValue, createOutOfDialogRequest } from '../sip/dialog/index.js';
import type { Clock, TxDestination } from '../sip/transaction/index.js';
import type { BindingRecord, Storage } from '../storage/ports.js';

export interface MwiWiringOptions {
  core: UserAgentCore;
  storage: Storage;
  registrar: Registrar;
  auth: RequestAuthenticator;
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

/** Where a request to a registered contact goes: its flow, or (UDP) the address the REGISTER came from (NAT-friendly). */
export function bindingDestination(b: BindingRecord): TxDestination {
  const protocol = b.source.protocol as TxDestination['protocol'];
  return {
    protocol, address: b.source.address, port: b.source.port, reliable: protocol !== 'udp',
    ...(b.flowId !== null && protocol !== 'udp' && { flowId: b.flowId }),
  };
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
  const state = (mailbox: string): { counts: ReturnType<MwiService['get']>['counts']; version: number } => mwi.get(mailbox);
  const trusted = new TrustedPeers(o.trust);
  const notifier = new Notifier({
    store: storage, clock, exemptAddress: (address) => trusted.has(address),
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
  notifier.register(createRoamingSelfPackage({
    findMailbox, domain,
    // A lamp that never changed was published when its user was created (not at the epoch).
    state: (m) => {
      const s = mwi.get(m);
      return s.changedAt > 0 ? s : { ...s, changedAt: storage.getUser(m)?.createdAt ?? clock.now() };
    },
  }));

  const fanout = new MwiFanout({
    notifier, clock, events: [MESSAGE_SUMMARY, ROAMING_SELF],
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
    sendUnsolicited: (b, st) => new Promise<number>((resolve) => {
      const dest = bindingDestination(b);
      const aor = `<sip:${b.user}@${domain}>`;
      const via = core.viaFor(dest.protocol);
      const out = createOutOfDialogRequest('NOTIFY', b.uri, aor, aor, {
        via,
        // RFC 6665 section 8.1.2: a NOTIFY carries a Contact (twinkle answers 400 without one).
        contact: contactValue(via.host, via.port, dest.protocol),
        headers: [['Event', MESSAGE_SUMMARY], ['Subscription-State', 'terminated;reason=noresource']],
        body: messageSummaryBody(st.mailbox, { state, domain }, bodies), contentType: MESSAGE_SUMMARY_TYPE,
      });
      core.sendRequest(out.request, dest, {
        onFinal: (res) => resolve(res.status),
        onTimeout: () => resolve(0),
        onTransportError: () => resolve(0),
      });
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
    mwi, notifier, fanout,
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
