import { Pacer } from '../events/pacer.js';
import type { Notifier } from '../events/notifier.js';
import { MESSAGE_SUMMARY } from '../events/packages/message-summary/message-summary-package.js';
import type { Clock } from '../base/clock.js';
import type { BindingRecord } from '../storage/ports.js';
import type { MailboxMwi } from './mwi-service.js';

/** Sends one unsolicited NOTIFY; resolves with the final status (0: timeout or transport error). */
export type UnsolicitedSender = (binding: BindingRecord, state: MailboxMwi) => Promise<number>;

export interface MwiFanoutDeps {
  notifier: Notifier;
  clock: Clock;
  /** Current bindings of a user (the registrar's location service). */
  bindings(user: string): BindingRecord[];
  allBindings(): BindingRecord[];
  /** Does the user want unsolicited NOTIFYs at all (per-user setting, default on)? And is MWI on? */
  userWants(user: string): boolean;
  state(mailbox: string): MailboxMwi;
  sendUnsolicited: UnsolicitedSender;
  /** Re-sends per second after a restart or a wave of registrations. */
  resendRatePerSecond?: number;
  onUnsolicited?(outcome: 'delivered' | 'refused' | 'failed'): void;
  /** Event packages whose subscriptions show the lamp (default message-summary); all are notified on a change. */
  events?: readonly string[];
  /**
   * How long after a registration its state is sent (default 2 s): a phone
   * that subscribes right after registering (most do, and Lync endpoints
   * always do) then gets only its in-dialog NOTIFY, not an unsolicited one too.
   */
  registrationGraceMs?: number;
}

interface EndpointState {
  inFlight: boolean;
  dirty: boolean;
}

/** Statuses by which a contact says it does not take unsolicited NOTIFY (PROTOCOLS.md section 2). */
const REFUSALS = new Set([489, 405, 501]);

const endpointKey = (b: BindingRecord): string => `${b.user}\u0000${b.key}`;

/**
 * The fan-out of a lamp change to every endpoint of the user
 * (PROTOCOLS.md sections 1-2):
 * - subscriptions to message-summary get a NOTIFY in their dialog (the
 *   notifier coalesces per subscription);
 * - registered contacts with no such subscription get an unsolicited NOTIFY
 *   (out of dialog), one in flight per contact, later changes coalesced into
 *   one more NOTIFY with the latest state; a contact that answers 489, 405 or
 *   501 gets none until it registers anew;
 * - on every new registration, and for every binding after a restart, the
 *   current state is sent, paced at `resendRatePerSecond` so that 100,000
 *   endpoints cause no storm.
 */
export class MwiFanout {
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly refused = new Set<string>();
  private readonly pacer: Pacer<string>;
  private readonly pending = new Map<string, BindingRecord>();
  private readonly events: readonly string[];
  /** Registrations waiting out their grace period, oldest first (one timer for all). */
  private readonly graceQueue: { at: number; b: BindingRecord }[] = [];
  private graceHead = 0;
  private graceTimer: ReturnType<Clock['setTimeout']> | undefined;

  constructor(private readonly d: MwiFanoutDeps) {
    this.events = d.events ?? [MESSAGE_SUMMARY];
    this.pacer = new Pacer(d.clock, d.resendRatePerSecond ?? 500, (key) => {
      const b = this.pending.get(key);
      this.pending.delete(key);
      if (b) this.sendToContact(b);
    });
  }

  /** The lamp of a mailbox changed. */
  onLampChange(state: MailboxMwi): void {
    for (const event of this.events) this.d.notifier.notifyResource(event, state.mailbox);
    if (!this.d.userWants(state.mailbox)) return;
    for (const b of this.d.bindings(state.mailbox)) this.sendToContact(b);
  }

  /** A contact registered anew: it may take unsolicited NOTIFYs again; send it the current state (paced). */
  onContactRegistered(b: BindingRecord): void {
    this.refused.delete(endpointKey(b));
    const grace = this.d.registrationGraceMs ?? 2000;
    if (grace <= 0) {
      this.enqueue(b);
      return;
    }
    this.graceQueue.push({ at: this.d.clock.now() + grace, b });
    this.graceTimer ??= this.d.clock.setTimeout(this.graceTick, grace);
  }

  private readonly graceTick = (): void => {
    this.graceTimer = undefined;
    const now = this.d.clock.now();
    while (this.graceHead < this.graceQueue.length && this.graceQueue[this.graceHead]!.at <= now) {
      this.enqueue(this.graceQueue[this.graceHead++]!.b);
    }
    if (this.graceHead === this.graceQueue.length) {
      this.graceQueue.length = 0;
      this.graceHead = 0;
    } else {
      this.graceTimer = this.d.clock.setTimeout(this.graceTick, this.graceQueue[this.graceHead]!.at - now);
    }
  };

  onContactRemoved(b: BindingRecord): void {
    const k = endpointKey(b);
    this.refused.delete(k);
    this.pending.delete(k);
    this.pacer.forget(k);
  }

  /** After a restart: the current state to every registered contact, paced. */
  resendAll(): void {
    for (const b of this.d.allBindings()) this.enqueue(b);
  }

  stop(): void {
    this.pacer.stop();
    if (this.graceTimer) this.d.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  private enqueue(b: BindingRecord): void {
    const k = endpointKey(b);
    this.pending.set(k, b);
    this.pacer.enqueue(k);
  }

  /** Is the contact served by a subscription of its user to a lamp-carrying package (same address, or same target)? */
  private covered(b: BindingRecord): boolean {
    for (const event of this.events) {
      for (const sub of this.d.notifier.subscriptionsOf(event, b.user)) {
        if (sub.source.address === b.source.address && sub.source.port === b.source.port) return true;
        if (sub.dialog.remoteTarget === b.uri) return true;
      }
    }
    return false;
  }

  private sendToContact(b: BindingRecord): void {
    const k = endpointKey(b);
    if (this.refused.has(k) || !this.d.userWants(b.user) || this.covered(b)) return;
    let ep = this.endpoints.get(k);
    if (!ep) this.endpoints.set(k, (ep = { inFlight: false, dirty: false }));
    if (ep.inFlight) {
      ep.dirty = true;
      return;
    }
    ep.inFlight = true;
    ep.dirty = false;
    const done = (status: number): void => {
      const e = this.endpoints.get(k);
      if (REFUSALS.has(status)) {
        this.refused.add(k);
        this.d.onUnsolicited?.('refused');
      } else {
        this.d.onUnsolicited?.(status >= 200 && status < 300 ? 'delivered' : 'failed');
      }
      if (!e) return;
      e.inFlight = false;
      if (e.dirty && !this.refused.has(k)) {
        const fresh = this.d.bindings(b.user).find((x) => x.key === b.key);
        if (fresh) {
          this.sendToContact(fresh);
          return;
        }
      }
      this.endpoints.delete(k);
    };
    this.d.sendUnsolicited(b, this.d.state(b.user)).then(done, () => done(0));
  }
}
