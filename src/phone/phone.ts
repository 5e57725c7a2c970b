/**
 * A SIP user agent for people (`openum phone`): registers (RFC 3261
 * section 10.2), subscribes to its mailbox in one MWI dialect (RFC 3842 /
 * RFC 6665, or Lync roaming-self with BENOTIFY), keeps both alive, and
 * reports every change of the message-waiting lamp as one line.
 */
import { UserAgentCore, type RequestContext } from '../sip/core.js';
import type { ViaSentBy } from '../sip/dialog/index.js';
import { createResponse, randomToken, type SipRequest, type SipResponse } from '../sip/message/index.js';
import { RealClock, type Clock, type TimerHandle } from '../base/clock.js';
import type { TimerSettings, TxDestination, TxProtocol } from '../sip/transaction/index.js';
import type { TransportLayer } from '../sip/transport/index.js';
import { dialectSpec, eventPackage, mediaType, MESSAGE_SUMMARY_EVENT, type DialectSpec } from './dialects.js';
import { DigestClient } from './digest-client.js';
import { lampLine, sameLamp, type Dialect, type Lamp } from './lamp.js';
import { PhoneError } from './phone-error.js';
import { Registration } from './registration.js';
import { RequestSender } from './request-sender.js';
import { Subscriber, type SubscriberDelegate } from './subscriber.js';
import { refreshDelayMs, retryDelayMs } from './timing.js';

/** Where the phone's lines go. */
export interface PhoneDelegate {
  /** A line for stdout: `registered ...`, `subscribed (...)`, `mwi ...`. */
  onLine(line: string): void;
  /** A line for stderr; the phone carries on. */
  onWarning(line: string): void;
  /** The lamp changed (after its line): time to fetch the messages, as a Lync phone does over EWS. */
  onLamp?(lamp: Lamp): void;
}

/** Construction options of {@link Phone}. */
export interface PhoneOptions {
  /** Started by the caller, with a transport of `server.protocol`; stopped by the caller after {@link Phone.stop}. */
  transports: TransportLayer;
  /** The server: registrar and notifier (an IP address, resolved by the caller). */
  server: { protocol: TxProtocol; address: string; port: number };
  /** How the server is named in `registered ... at SERVER`. */
  serverLabel: string;
  user: string;
  password: string;
  /** SIP domain: `sip:USER@DOMAIN` is registered and subscribed to. */
  domain: string;
  dialect: Dialect;
  /** `User-Agent` of our requests. */
  product: string;
  delegate: PhoneDelegate;
  clock?: Clock;
  timers?: Partial<TimerSettings>;
  /** Expiry asked for in REGISTER (default 3600 s). */
  registerExpires?: number;
  /** Expiry asked for in SUBSCRIBE (default 3600 s, RFC 3842 section 4). */
  subscribeExpires?: number;
  /** Bound of each step of {@link Phone.start} (default 10 s): an unanswered server fails fast. */
  answerTimeoutMs?: number;
  /** CRLFCRLF keep-alive period on connections (RFC 5626 section 4.4.1: 95-120 s); default 100 s, 0 = none. */
  keepAliveMs?: number;
}

const PING = Buffer.from('\r\n\r\n', 'latin1');

/** Subscription end reasons after which RFC 6665 section 4.1.3 says not to subscribe again. */
const FINAL_REASONS = new Set(['rejected', 'invariant']);

/**
 * The phone. `start()` registers then subscribes (each bounded), and
 * rejects with PhoneError when either fails; afterwards failures are
 * retried with back-off and reported as warnings. `stop()` unsubscribes
 * and unregisters within a bound, whether or not the server answers.
 */
export class Phone {
  readonly core: UserAgentCore;
  private readonly clock: Clock;
  private readonly spec: DialectSpec;
  private readonly dest: TxDestination;
  private readonly sender: RequestSender;
  private readonly registration: Registration;
  private readonly contact: string;
  private readonly aor: string;
  private readonly subs = new Set<Subscriber>();
  private current: Subscriber | undefined;
  private lamp: Lamp | undefined;
  private held: Lamp | undefined;
  private subscribedOnce = false;
  private registered = false;
  private regFailures = 0;
  private subFailures = 0;
  private regTimer: TimerHandle | undefined;
  private subTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Waits of start() to cut short when stop() is called. */
  private readonly onStop = new Set<() => void>();

  constructor(private readonly o: PhoneOptions) {
    this.clock = o.clock ?? new RealClock();
    this.spec = dialectSpec(o.dialect);
    this.dest = { ...o.server, reliable: o.server.protocol !== 'udp' };
    this.core = new UserAgentCore({
      transports: o.transports,
      clock: this.clock,
      product: o.product,
      supported: ['eventlist', 'ms-benotify', 'ms-piggyback-first-notify'],
      ...(o.timers && { timers: o.timers }),
      delegate: { onFlowClosed: () => this.flowClosed() },
    });
    this.core.onRequest('NOTIFY', (req, ctx) => this.onNotify(req, ctx, false));
    this.core.onRequest('BENOTIFY', (req, ctx) => this.onNotify(req, ctx, true));
    this.aor = `<sip:${o.user}@${o.domain}>`;
    this.contact = this.contactUri();
    const digest = new DigestClient(o.user, o.password);
    this.sender = new RequestSender(this.core, this.dest, digest);
    this.registration = new Registration(this.sender, {
      aor: this.aor,
      registrarUri: `sip:${o.domain}`,
      contact: this.contact,
      via: () => this.via(),
    });
  }

  /** The last lamp shown, if any. */
  get lastLamp(): Lamp | undefined {
    return this.lamp;
  }

  /** Our Contact URI; over WebSocket an `.invalid` host (RFC 7118 section 5.2). */
  private contactUri(): string {
    const p = this.o.server.protocol;
    if (p === 'ws' || p === 'wss') return `sip:${this.o.user}@${randomToken(6)}.invalid;transport=${p}`;
    const v = this.via();
    return `sip:${this.o.user}@${v.host}:${v.port}${p === 'udp' ? '' : `;transport=${p}`}`;
  }

  private via(): ViaSentBy {
    return this.core.viaFor(this.o.server.protocol);
  }

  /**
   * Register, print `registered USER at SERVER`, subscribe, print
   * `subscribed (DIALECT)`. Rejects with PhoneError (after undoing the
   * registration) when a step fails or gets no answer within the bound.
   */
  async start(): Promise<void> {
    this.started = true;
    try {
      const granted = await this.bounded(this.registration.register(this.o.registerExpires ?? 3600), 'REGISTER');
      this.registered = true;
      this.o.delegate.onLine(`registered ${this.o.user} at ${this.o.serverLabel}`);
      this.scheduleRegister(refreshDelayMs(granted));
      await this.bounded(this.subscribe(), 'SUBSCRIBE');
      this.scheduleKeepAlive();
    } catch (e) {
      await this.stop();
      if (e instanceof PhoneError) throw e;
      throw new PhoneError('refused', e instanceof Error ? e.message : String(e));
    }
  }

  /** Race `p` against the start bound; fails at once when stop() is called meanwhile. */
  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.o.answerTimeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const stopped = (): void => {
        this.clock.clearTimeout(timer);
        reject(new PhoneError('stopped', `stopped while waiting for the answer to ${what}`));
      };
      const timer = this.clock.setTimeout(() => {
        this.onStop.delete(stopped);
        reject(
          new PhoneError(
            'timeout',
            `no answer to ${what} from ${this.o.serverLabel} (${this.o.server.protocol}) within ${Math.round(ms / 1000)} s`,
          ),
        );
      }, ms);
      if (this.stopping) {
        stopped();
        return;
      }
      this.onStop.add(stopped);
      p.then(
        (v) => {
          this.clock.clearTimeout(timer);
          this.onStop.delete(stopped);
          resolve(v);
        },
        (e: unknown) => {
          this.clock.clearTimeout(timer);
          this.onStop.delete(stopped);
          reject(e);
        },
      );
    });
  }

  /** A new subscription (new dialog); prints `subscribed (DIALECT)` and any lamp that came meanwhile. */
  private async subscribe(): Promise<void> {
    const delegate: SubscriberDelegate = {
      onLamp: (lamp) => this.showLamp(lamp),
      onTerminated: (sub, reason, retryMs) => this.subscriptionEnded(sub, reason, retryMs),
      onWarning: (line) => this.o.delegate.onWarning(line),
    };
    const sub = new Subscriber(
      this.sender,
      this.clock,
      this.spec,
      {
        aor: this.aor,
        targetUri: `sip:${this.o.user}@${this.o.domain}`,
        contact: this.contact,
        via: () => this.via(),
      },
      delegate,
      this.o.subscribeExpires ?? 3600,
    );
    const previous = this.current;
    this.current = sub;
    this.subs.add(sub);
    if (previous !== undefined) {
      previous.close();
      this.subs.delete(previous);
    }
    try {
      await sub.start();
    } catch (e) {
      this.subs.delete(sub);
      throw e;
    }
    if (this.stopping) return;
    this.subscribedOnce = true;
    this.o.delegate.onLine(`subscribed (${this.o.dialect})`);
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.showLamp(held);
  }

  /** One line per change; none before `subscribed` has been printed (the state is held until then). */
  private showLamp(lamp: Lamp): void {
    if (!this.subscribedOnce) {
      this.held = lamp;
      return;
    }
    if (sameLamp(this.lamp, lamp)) {
      if (this.lamp !== undefined && lamp.version !== undefined) this.lamp.version = lamp.version;
      return;
    }
    this.lamp = lamp;
    this.o.delegate.onLine(lampLine(this.o.user, lamp, this.o.dialect));
    this.o.delegate.onLamp?.(lamp);
  }

  /** RFC 6665 section 4.1.3: subscribe again at once, later, or never, by the reason. */
  private subscriptionEnded(sub: Subscriber, reason: string, retryMs: number | undefined): void {
    this.subs.delete(sub);
    if (sub !== this.current || this.stopping) return;
    if (FINAL_REASONS.has(reason)) {
      this.o.delegate.onWarning(`the server ended the subscription (${reason}); not subscribing again`);
      return;
    }
    let delay = 0;
    if (reason === 'probation' || reason === 'giveup') delay = retryMs ?? 30_000;
    else if (reason === 'noresource' || reason.startsWith('refused')) delay = 60_000;
    this.o.delegate.onWarning(
      `the subscription ended (${reason}); subscribing again${delay > 0 ? ` in ${Math.ceil(delay / 1000)} s` : ''}`,
    );
    this.scheduleSubscribe(delay);
  }

  private scheduleSubscribe(ms: number): void {
    if (this.stopping) return;
    if (this.subTimer !== undefined) this.clock.clearTimeout(this.subTimer);
    this.subTimer = this.clock.setTimeout(() => {
      this.subTimer = undefined;
      this.subscribe().then(
        () => {
          this.subFailures = 0;
        },
        (e: unknown) => {
          if (this.stopping) return;
          this.subFailures += 1;
          const delay = retryDelayMs(this.subFailures);
          this.o.delegate.onWarning(
            `subscribing failed (${(e as Error).message}); retrying in ${Math.ceil(delay / 1000)} s`,
          );
          this.scheduleSubscribe(delay);
        },
      );
    }, ms);
  }

  private scheduleRegister(ms: number): void {
    if (this.stopping) return;
    if (this.regTimer !== undefined) this.clock.clearTimeout(this.regTimer);
    this.regTimer = this.clock.setTimeout(() => {
      this.regTimer = undefined;
      this.registration.register(this.o.registerExpires ?? 3600).then(
        (granted) => {
          if (this.stopping) return;
          if (this.regFailures > 0) this.o.delegate.onLine(`registered ${this.o.user} at ${this.o.serverLabel}`);
          this.regFailures = 0;
          this.scheduleRegister(refreshDelayMs(granted));
        },
        (e: unknown) => {
          if (this.stopping) return;
          this.regFailures += 1;
          const delay = retryDelayMs(this.regFailures);
          this.o.delegate.onWarning(
            `registration refresh failed (${(e as Error).message}); retrying in ${Math.ceil(delay / 1000)} s`,
          );
          this.scheduleRegister(delay);
        },
      );
    }, ms);
  }

  /** RFC 5626 section 4.4.1: CRLFCRLF pings keep the connection (and the server's flow) alive. */
  private scheduleKeepAlive(): void {
    const every = this.o.keepAliveMs ?? 100_000;
    if (!this.dest.reliable || every <= 0 || this.stopping) return;
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = undefined;
      this.o.transports.send(this.o.server, PING).catch(() => undefined);
      this.scheduleKeepAlive();
    }, every);
  }

  /**
   * Our connection to the server closed: the server drops the bindings and
   * subscriptions bound to it (RFC 5626 section 5.3), so register and
   * subscribe again over a new one.
   */
  private flowClosed(): void {
    if (!this.started || this.stopping || !this.subscribedOnce) return;
    this.o.delegate.onWarning('the connection to the server closed; registering and subscribing again');
    this.regFailures = Math.max(this.regFailures, 1); // print `registered` again once it works
    this.scheduleRegister(1000);
    this.scheduleSubscribe(1000);
  }

  /** NOTIFY and BENOTIFY: in a subscription of ours, or (RFC 3842 only) unsolicited MWI from the server. */
  private onNotify(req: SipRequest, ctx: RequestContext, benotify: boolean): SipResponse | undefined {
    let answer: { status: number; reason: string };
    let toTag: string | null | undefined;
    try {
      toTag = req.to.params.get('tag');
    } catch {
      toTag = undefined;
    }
    if (!toTag) {
      answer = this.unsolicited(req, ctx);
    } else {
      answer = { status: 481, reason: 'Subscription Does Not Exist' };
      for (const sub of this.subs) {
        if (sub.owns(req)) {
          answer = sub.handleNotify(req);
          break;
        }
      }
    }
    return benotify ? undefined : createResponse(req, answer.status, answer.reason);
  }

  /**
   * A NOTIFY outside any dialog (PROTOCOLS.md section 2, unsolicited MWI):
   * a standard phone takes message-summary from its server (others get
   * 403); a Lync endpoint does not speak message-summary and answers 489,
   * which tells the server to stop sending it these.
   */
  private unsolicited(req: SipRequest, ctx: RequestContext): { status: number; reason: string } {
    if (this.o.dialect !== 'rfc3842' || eventPackage(req.getHeader('Event')) !== MESSAGE_SUMMARY_EVENT) {
      return { status: 489, reason: 'Bad Event' };
    }
    if (ctx.source.address !== this.o.server.address) return { status: 403, reason: 'Forbidden (not from our server)' };
    if (req.body.length === 0) return { status: 200, reason: 'OK' };
    if (mediaType(req.getHeader('Content-Type')) !== this.spec.notifyType)
      return { status: 415, reason: 'Unsupported Media Type' };
    let lamp: Lamp | undefined;
    try {
      lamp = this.spec.read(req.body);
    } catch (e) {
      return { status: 400, reason: `Bad Request (${e instanceof Error ? e.message : String(e)})` };
    }
    if (lamp !== undefined) this.showLamp(lamp);
    return { status: 200, reason: 'OK' };
  }

  /**
   * Unsubscribe (Expires: 0) and unregister (Expires: 0) in parallel, then
   * close the UA core. Resolves within `boundMs` (default 4 s) whatever the
   * server does; never rejects. The transports are the caller's to stop.
   */
  stop(boundMs = 4000): Promise<void> {
    this.stopped ??= this.shutdown(boundMs);
    return this.stopped;
  }

  private async shutdown(boundMs: number): Promise<void> {
    this.stopping = true;
    for (const f of [...this.onStop]) f();
    this.onStop.clear();
    for (const t of [this.regTimer, this.subTimer, this.pingTimer]) if (t !== undefined) this.clock.clearTimeout(t);
    this.regTimer = this.subTimer = this.pingTimer = undefined;
    const work: Promise<unknown>[] = [...this.subs].map((s) => s.unsubscribe());
    if (this.registered) work.push(this.registration.register(0));
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, boundMs);
      void Promise.allSettled(work).then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
    for (const s of this.subs) s.close();
    this.subs.clear();
    this.core.close();
  }
}
