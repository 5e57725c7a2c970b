import {
  contactValue,
  createUasDialog,
  DialogTable,
  dialogIdOf,
  resolveUriTarget,
  restoreDialogState,
  usageIdOf,
  type OutgoingRequest,
  type UriTarget,
  type ViaSentBy,
} from '../sip/dialog/index.js';
import { createResponse, ownString, randomToken, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { RequestContext } from '../sip/core.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import type { ClientTransactionHandlers, TxDestination } from '../sip/transaction/index.js';
import type { SubscriptionStore } from '../storage/ports.js';
import { isRefusal, type EventPackage } from './event-package.js';
import { classifyNotifyStatus, retryDelay } from './notify-policy.js';
import { Pacer } from './pacer.js';
import { RateLimiter } from '../base/rate-limiter.js';
import { acceptable, eventName } from './subscribe-headers.js';
import { SEQ_BLOCK, Subscription, type SubscriptionOwner } from './subscription.js';
import { SubscriptionIndex } from './subscription-index.js';
import { TimingWheel } from './timing-wheel.js';

/** How the notifier sends (the UA core implements it). */
export interface NotifierTransport {
  sendRequest(req: SipRequest, dest: TxDestination, handlers: ClientTransactionHandlers): unknown;
  sendStateless(req: SipRequest, dest: TxDestination): void;
  viaFor(protocol: TxDestination['protocol']): ViaSentBy;
}

/** Counters for metrics and logs; all optional. */
export interface NotifierHooks {
  onNotifySent?(event: string, outcome: 'delivered' | 'retry' | 'terminated' | 'unanswered'): void;
  onSubscriptionStart?(sub: Subscription): void;
  onSubscriptionEnd?(sub: Subscription, reason: string): void;
  onThrottled?(key: string): void;
}

/** Churn caps (see rate-limiter.ts): new subscriptions per user and per source address, and how many one user may hold. */
export interface SubscribeLimits {
  perUserPerSecond: number;
  perUserBurst: number;
  perAddressPerSecond: number;
  perAddressBurst: number;
  /** Subscriptions one user may hold per event package; a new one beyond ends the oldest. */
  maxPerSubscriber: number;
}

export const DEFAULT_SUBSCRIBE_LIMITS: SubscribeLimits = {
  perUserPerSecond: 2,
  perUserBurst: 20,
  perAddressPerSecond: 50,
  perAddressBurst: 200,
  maxPerSubscriber: 16,
};

export interface NotifierOptions {
  store: SubscriptionStore;
  clock: Clock;
  transport: NotifierTransport;
  /** Digest-authenticate a new SUBSCRIBE (RFC 6665 section 4.2.1.2); in-dialog refreshes are bound to their dialog. */
  authenticate(req: SipRequest): { user: string } | { response: SipResponse };
  limits?: Partial<SubscribeLimits>;
  /**
   * Source addresses not held to the per-address cap: trusted peers such as a
   * proxy or a Lync pool that front many users from one address (the
   * per-user cap still applies to them).
   */
  exemptAddress?(address: string): boolean;
  /** NOTIFYs per second when re-sending state to every subscription after a restart. */
  resendRatePerSecond?: number;
  hooks?: NotifierHooks;
  /**
   * The UA's dialog table (the core routes in-dialog requests through it):
   * each subscription is a usage there. Default: a table of the notifier's own.
   */
  dialogs?: DialogTable;
}

const TICK_MS = 1000;

/**
 * The notifier of RFC 6665: SUBSCRIBE processing (create, refresh,
 * unsubscribe, fetch), expiry, the full-state NOTIFY after every accept and
 * refresh, notifications on state change, persistence across restarts, and
 * the churn caps. Packages are records registered with {@link register}.
 *
 * Expiries and NOTIFY retries live in one timing wheel ticked once a second,
 * not in a timer per subscription.
 */
export class Notifier implements SubscriptionOwner {
  private readonly packages = new Map<string, EventPackage>();
  /** Where the subscriptions are found by dialog: each is the usage (and the entry) of its dialog. */
  private readonly dialogs: DialogTable;
  private count = 0;
  private readonly byResource = new SubscriptionIndex<Subscription>();
  /**
   * Subscriptions to someone else's resource, by subscriber. A user's
   * subscriptions to their own resource (every MWI and roaming-self one) are
   * found through byResource: a second index entry each would cost ~46 B.
   */
  private readonly bySubscriber = new SubscriptionIndex<Subscription>();
  /** Our Contact values, one string per local address (shared by every subscription on it). */
  private readonly contacts = new Map<string, string>();
  private readonly wheel: TimingWheel<Subscription>;
  private readonly limits: SubscribeLimits;
  private readonly perUser: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly pacer: Pacer<Subscription>;
  private ticker: TimerHandle | undefined;

  constructor(private readonly o: NotifierOptions) {
    this.dialogs = o.dialogs ?? new DialogTable();
    this.wheel = new TimingWheel(TICK_MS, o.clock.now());
    this.limits = { ...DEFAULT_SUBSCRIBE_LIMITS, ...o.limits };
    this.perUser = new RateLimiter(this.limits.perUserPerSecond, this.limits.perUserBurst);
    this.perAddress = new RateLimiter(this.limits.perAddressPerSecond, this.limits.perAddressBurst);
    this.pacer = new Pacer(o.clock, o.resendRatePerSecond ?? 1000, (sub) => {
      if (!sub.terminated) this.sendNotify(sub);
    });
  }

  register(pkg: EventPackage): void {
    this.packages.set(pkg.name, pkg);
  }

  /** The packages we serve (Allow-Events, RFC 6665 section 8.2.2). */
  get allowEvents(): string[] {
    return [...this.packages.keys()];
  }

  /** Active subscriptions. */
  get size(): number {
    return this.count;
  }

  /** The subscriptions of one resource of one package. */
  subscriptionsOf(event: string, resource: string): Iterable<Subscription> {
    return this.byResource.get(event, resource);
  }

  /** The state of a resource changed: notify every subscription to it (coalescing per subscription). */
  notifyResource(event: string, resource: string): void {
    for (const sub of this.subscriptionsOf(event, resource)) this.sendNotify(sub);
  }

  /** Load persisted subscriptions, start the expiry tick, and re-send the state to all, paced. */
  start(): void {
    const now = this.o.clock.now();
    for (const r of this.o.store.listSubscriptions()) {
      // The event is the subscription's usage id: the package, then `;id=token` when the SUBSCRIBE had one (RFC 6665 8.2.1).
      const semi = r.event.indexOf(';');
      const pkg = this.packages.get(semi < 0 ? r.event : r.event.slice(0, semi));
      const eventId = semi < 0 ? '' : r.event.slice(semi);
      let sub: Subscription | undefined;
      if (pkg && r.expiresAt > now && (eventId === '' || /^;id=[\w.!%*+`'~-]*$/.test(eventId))) {
        try {
          const dialog = restoreDialogState(JSON.parse(r.dialog));
          dialog.localSeq = Math.max(dialog.localSeq, r.seqCeiling);
          // Connections did not survive the restart: go to the remote target (flowId dropped).
          const source: TxDestination = {
            protocol: r.source.protocol as TxDestination['protocol'],
            address: r.source.address,
            port: r.source.port,
            reliable: r.source.protocol !== 'udp',
          };
          sub = new Subscription(
            r.id,
            pkg,
            r.resource,
            r.subscriber,
            dialog,
            r.expiresAt,
            source,
            this.shared(r.localContact),
            r.packageState === null ? undefined : JSON.parse(r.packageState),
            dialog.localSeq + SEQ_BLOCK,
            r.createdAt,
            this,
            eventId,
          );
        } catch {
          sub = undefined;
        }
      }
      if (!sub) {
        this.o.store.deleteSubscription(r.id);
        continue;
      }
      this.o.store.putSubscription(sub.toRecord());
      this.index(sub);
      this.pacer.enqueue(sub);
    }
    this.scheduleTick();
  }

  stop(): void {
    if (this.ticker) this.o.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
    this.pacer.stop();
  }

  /**
   * SUBSCRIBE (RFC 6665 section 4.2.1), the method handler: a new
   * subscription, or (when the core routes no dialogs) a refresh found in the
   * dialog table. Returns the final response; NOTIFYs follow it.
   */
  handleSubscribe(req: SipRequest, ctx: RequestContext): SipResponse {
    if (!req.to.params.get('tag')) return this.subscribe(req, ctx, undefined);
    const usage = this.dialogs.match(req);
    return usage instanceof Subscription ? this.onSubscriptionRequest(usage, req, ctx) : this.noSubscription(req);
  }

  /**
   * An in-dialog request the dialog table routed to a subscription: a
   * re-SUBSCRIBE refreshes or ends it; anything else (a NOTIFY, where we
   * are the notifier) has no usage here (RFC 5057 section 5.1).
   */
  onSubscriptionRequest(sub: Subscription, req: SipRequest, ctx: RequestContext): SipResponse {
    return req.method === 'SUBSCRIBE' ? this.subscribe(req, ctx, sub) : this.noSubscription(req);
  }

  private noSubscription(req: SipRequest): SipResponse {
    return createResponse(req, 481, 'Call/Transaction Does Not Exist');
  }

  private subscribe(req: SipRequest, ctx: RequestContext, sub: Subscription | undefined): SipResponse {
    const name = eventName(req);
    const pkg = name === undefined ? undefined : this.packages.get(name);
    if (!pkg) {
      const res = createResponse(req, 489, 'Bad Event');
      res.setHeader('Allow-Events', this.allowEvents.join(', '));
      return res;
    }
    const accept = req.getHeaderList('Accept');
    if (accept.length > 0 && !acceptable(accept, pkg.accept ?? [pkg.contentType])) {
      const res = createResponse(req, 406, 'Not Acceptable');
      res.setHeader('Accept', (pkg.accept ?? [pkg.contentType]).join(', '));
      return res;
    }
    let expires = req.expires ?? pkg.defaultExpires;
    if (expires !== 0 && expires < pkg.minExpires) {
      const res = createResponse(req, 423, 'Interval Too Brief');
      res.setHeader('Min-Expires', String(pkg.minExpires));
      return res;
    }
    expires = Math.min(expires, pkg.maxExpires);
    return req.to.params.get('tag') ? this.refresh(req, pkg, expires, ctx, sub) : this.create(req, pkg, expires, ctx);
  }

  private create(req: SipRequest, pkg: EventPackage, expires: number, ctx: RequestContext): SipResponse {
    const now = this.o.clock.now();
    if (!this.o.exemptAddress?.(ctx.source.address) && !this.perAddress.take(ctx.source.address, now)) {
      return this.throttled(req, `address ${ctx.source.address}`);
    }
    const auth = this.o.authenticate(req);
    if ('response' in auth) return auth.response;
    if (!this.perUser.take(auth.user, now)) return this.throttled(req, `user ${auth.user}`);
    const target = pkg.resolve(req, auth.user);
    if (isRefusal(target)) return createResponse(req, target.status, target.reason);
    const pstate = pkg.subscribeState?.(req, undefined);
    if (pstate && isRefusal(pstate)) return createResponse(req, pstate.status, pstate.reason);
    const dialog = createUasDialog(req, randomToken(), ctx.source.protocol === 'tls' || ctx.source.protocol === 'wss');
    const sub = new Subscription(
      dialogIdOf(dialog),
      pkg,
      ownString(target.resource),
      ownString(auth.user),
      dialog,
      now + expires * 1000,
      ctx.source,
      this.shared(contactValue(ctx.local.address, ctx.local.port, ctx.local.protocol)),
      pstate?.state,
      SEQ_BLOCK,
      now,
      this,
      usageIdOf(req).slice(pkg.name.length),
    );
    const res = this.accepted(req, sub, expires);
    if (expires === 0) {
      // A fetch (RFC 6665 section 4.4.3): one NOTIFY with the state (or the state in the 200), then nothing.
      sub.terminated = 'timeout';
      if (!pkg.decorateAccept?.(req, res, sub)) ctx.afterResponse(() => this.sendNotify(sub));
      return res;
    }
    this.capSubscriber(sub, ctx);
    this.o.store.putSubscription(sub.toRecord());
    this.index(sub);
    this.o.hooks?.onSubscriptionStart?.(sub);
    if (!pkg.decorateAccept?.(req, res, sub)) ctx.afterResponse(() => this.sendNotify(sub));
    return res;
  }

  private refresh(
    req: SipRequest,
    pkg: EventPackage,
    expires: number,
    ctx: RequestContext,
    sub: Subscription | undefined,
  ): SipResponse {
    if (!sub || sub.terminated || sub.pkg !== pkg) return this.noSubscription(req);
    // Keeps the remote CSeq, and a refreshed target.
    if (sub.checkRequest(req) === 'out-of-order') {
      return createResponse(req, 500, 'Server Internal Error (CSeq out of order)');
    }
    const pstate = pkg.subscribeState?.(req, sub.packageState);
    if (pstate && isRefusal(pstate)) return createResponse(req, pstate.status, pstate.reason);
    if (pstate) sub.packageState = pstate.state;
    const now = this.o.clock.now();
    sub.source = ctx.source;
    const res = this.accepted(req, sub, expires);
    if (expires === 0) {
      // Unsubscribe (RFC 6665 section 4.2.1.4): forget it now; the final NOTIFY follows the 200, as after an accept.
      this.terminate(sub, 'timeout', false);
      ctx.afterResponse(() => this.sendNotify(sub));
      return res;
    }
    sub.expiresAt = now + expires * 1000;
    sub.failures = 0;
    sub.retryAt = 0;
    this.reschedule(sub);
    this.o.store.putSubscription(sub.toRecord());
    if (!pkg.decorateAccept?.(req, res, sub)) ctx.afterResponse(() => this.sendNotify(sub));
    return res;
  }

  private accepted(req: SipRequest, sub: Subscription, expires: number): SipResponse {
    const res = createResponse(req, 200, 'OK', sub.dialog.localTag);
    res.setHeader('Expires', String(expires));
    res.setHeader('Contact', sub.localContact);
    return res;
  }

  private throttled(req: SipRequest, key: string): SipResponse {
    this.o.hooks?.onThrottled?.(key);
    const res = createResponse(req, 503, 'Service Unavailable (too many subscriptions, slow down)');
    res.setHeader('Retry-After', '10');
    return res;
  }

  /** The subscriptions `subscriber` holds in one package. */
  private subscriptionsBy(event: string, subscriber: string): Subscription[] {
    const own = [...this.byResource.get(event, subscriber)].filter((s) => s.subscriber === subscriber);
    return [...own, ...this.bySubscriber.get(event, subscriber)];
  }

  /** One string per distinct Contact value (there are as many as local addresses), so 100,000 subscriptions share a few. */
  private shared(contact: string): string {
    const known = this.contacts.get(contact);
    if (known !== undefined) return known;
    if (this.contacts.size < 256) this.contacts.set(contact, contact);
    return contact;
  }

  /** Keep at most `maxPerSubscriber` subscriptions per (user, package): the oldest goes (its final NOTIFY after the 200). */
  private capSubscriber(sub: Subscription, ctx: RequestContext): void {
    const mine = this.subscriptionsBy(sub.pkg.name, sub.subscriber);
    if (mine.length < this.limits.maxPerSubscriber) return;
    let oldest: Subscription | undefined;
    for (const s of mine) if (!oldest || s.createdAt < oldest.createdAt) oldest = s;
    if (!oldest) return;
    const gone = oldest;
    this.terminate(gone, 'timeout', false);
    ctx.afterResponse(() => this.sendNotify(gone));
  }

  /** End a subscription: forget it now, tell the subscriber with a final NOTIFY (RFC 6665 section 4.2.2). */
  terminate(sub: Subscription, reason: string, sendFinal = true): void {
    if (sub.terminated) return;
    sub.terminated = reason;
    this.unindex(sub);
    this.o.store.deleteSubscription(sub.id);
    this.o.hooks?.onSubscriptionEnd?.(sub, reason);
    if (sendFinal) this.sendNotify(sub);
  }

  /**
   * Send the current state (or the final NOTIFY of a terminated
   * subscription). At most one NOTIFY per subscription is in flight; a call
   * meanwhile marks it dirty and the answer triggers one more.
   */
  private sendNotify(sub: Subscription): void {
    if (sub.inFlight) {
      sub.dirty = true;
      return;
    }
    sub.dirty = false;
    // This NOTIFY carries the latest state: a pending retry has nothing left to do.
    sub.retryAt = 0;
    const now = this.o.clock.now();
    const pkg = sub.pkg;
    const content = pkg.content(sub);
    const state = sub.terminated
      ? `terminated;reason=${sub.terminated}`
      : `active;expires=${sub.remainingSeconds(now)}`;
    const how = pkg.notifyMethod?.(sub) ?? { method: 'NOTIFY', fireAndForget: false };
    const source = sub.source;
    const remoteTarget = sub.remoteTarget;
    const reliableFlow = source.flowId !== undefined && source.protocol !== 'udp';
    let out: OutgoingRequest;
    let target: UriTarget | undefined;
    try {
      // Over a flow the destination is the flow; else the remote target, resolved once unless a route set
      // sends the request elsewhere (RFC 3261 section 12.2.1.1).
      const remote = reliableFlow ? undefined : resolveUriTarget(remoteTarget, sub.secure);
      out = sub.createRequest(how.method, {
        via: this.o.transport.viaFor(remote?.protocol ?? source.protocol),
        contact: sub.localContact,
        headers: [['Event', sub.usageId], ['Subscription-State', state], ...(pkg.extraHeaders?.(sub) ?? [])],
        body: content.body,
        contentType: content.contentType,
      });
      if (remote)
        target = out.destinationUri === remoteTarget ? remote : resolveUriTarget(out.destinationUri, sub.secure);
    } catch {
      // An unusable target or an exhausted CSeq (DialogError): the dialog cannot carry NOTIFYs any more.
      this.terminate(sub, 'noresource', false);
      return;
    }
    if (sub.localCSeq >= sub.seqCeiling && !sub.terminated) {
      sub.seqCeiling = sub.localCSeq + SEQ_BLOCK;
      this.o.store.putSubscription(sub.toRecord());
    }
    const dest: TxDestination = target
      ? { protocol: target.protocol, address: target.address, port: target.port, reliable: target.protocol !== 'udp' }
      : source;
    if (how.fireAndForget) {
      this.o.transport.sendStateless(out.request, dest);
      this.o.hooks?.onNotifySent?.(pkg.name, 'unanswered');
      return;
    }
    sub.inFlight = true;
    this.o.transport.sendRequest(out.request, dest, {
      onFinal: (res) => this.notifyAnswered(sub, res.status, res.getHeader('Retry-After')),
      onTimeout: () => this.notifyAnswered(sub, 0),
      onTransportError: () => this.notifyAnswered(sub, 0),
    });
  }

  private notifyAnswered(sub: Subscription, status: number, retryAfter?: string): void {
    sub.inFlight = false;
    const outcome = classifyNotifyStatus(status);
    if (outcome === 'delivered') {
      this.o.hooks?.onNotifySent?.(sub.pkg.name, 'delivered');
      sub.failures = 0;
      sub.retryAt = 0;
      if (sub.dirty) this.sendNotify(sub);
      return;
    }
    if (outcome === 'terminate') {
      this.o.hooks?.onNotifySent?.(sub.pkg.name, 'terminated');
      this.terminate(sub, 'noresource', false);
      return;
    }
    this.o.hooks?.onNotifySent?.(sub.pkg.name, 'retry');
    if (sub.terminated) return;
    sub.failures++;
    const ra = retryAfter === undefined ? undefined : Number.parseInt(retryAfter, 10);
    sub.retryAt = this.o.clock.now() + retryDelay(sub.failures, Number.isFinite(ra) ? ra : undefined);
    this.reschedule(sub);
  }

  private index(sub: Subscription): void {
    // A new subscription has a new dialog (our tag is random), and a restored one its own: the usage is always added.
    if (this.dialogs.add(sub)) this.count++;
    this.byResource.add(sub.pkg.name, sub.resource, sub);
    if (sub.subscriber !== sub.resource) this.bySubscriber.add(sub.pkg.name, sub.subscriber, sub);
    this.reschedule(sub);
  }

  private unindex(sub: Subscription): void {
    if (this.dialogs.remove(sub)) this.count--;
    this.byResource.delete(sub.pkg.name, sub.resource, sub);
    if (sub.subscriber !== sub.resource) this.bySubscriber.delete(sub.pkg.name, sub.subscriber, sub);
    this.wheel.cancel(sub);
    this.pacer.forget(sub);
  }

  private reschedule(sub: Subscription): void {
    sub.dueAt = sub.retryAt > 0 ? Math.min(sub.retryAt, sub.expiresAt) : sub.expiresAt;
    this.wheel.schedule(sub);
  }

  private scheduleTick(): void {
    this.ticker = this.o.clock.setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, TICK_MS);
  }

  /** Expire subscriptions (final NOTIFY with reason=timeout) and retry failed NOTIFYs. */
  tick(): void {
    const now = this.o.clock.now();
    this.perUser.prune(now);
    this.perAddress.prune(now);
    for (const sub of this.wheel.advance(now)) {
      if (sub.terminated) continue;
      if (now >= sub.expiresAt) {
        this.terminate(sub, 'timeout');
      } else {
        if (sub.retryAt > 0 && now >= sub.retryAt) {
          sub.retryAt = 0;
          this.sendNotify(sub);
        }
        this.reschedule(sub);
      }
    }
  }
}
