import {
  checkInDialogRequest,
  createInDialogRequest,
  dialogKey,
  makeDialogState,
  type DialogState,
  type DialogStateView,
  type DialogUsage,
  type InDialogRequestOptions,
  type OutgoingRequest,
} from '../sip/dialog/index.js';
import type { RequestContext, RequestHandler } from '../sip/core.js';
import type { SipRequest } from '../sip/message/index.js';
import type { TxDestination, TxProtocol } from '../sip/transaction/index.js';
import type { SubscriptionRecord } from '../storage/ports.js';
import type { EventPackage } from './event-package.js';
import type { WheelItem } from './timing-wheel.js';

/** CSeq numbers are reserved in blocks this big, so a restart can skip past any number used (RFC 3261 section 12.2.1.1). */
export const SEQ_BLOCK = 1000;

/** Separates the packed fields: header-safe values (dialog-state.ts, header-safe.ts) never hold a NUL. */
const SEP = '\u0000';
/** Packed field order after the dialog key. */
const F_LOCAL_URI = 0,
  F_REMOTE_URI = 1,
  F_REMOTE_TARGET = 2,
  F_PROTOCOL = 3,
  F_ADDRESS = 4,
  F_FLOW = 5,
  F_EVENT_ID = 6,
  F_ROUTES = 7;

/** Who handles the in-dialog requests of a subscription (the notifier): one shared object, not one per subscription. */
export interface SubscriptionOwner {
  onSubscriptionRequest(sub: Subscription, req: SipRequest, ctx: RequestContext): ReturnType<RequestHandler>;
}

/**
 * One subscription of RFC 6665 on the notifier side: the dialog, the
 * resource, the expiry, and the state of its notifications.
 *
 * Memory is the design constraint (a notifier holds 100,000 subscriptions;
 * bench/mwi/README.md has the target and the figures; no timer objects). A DialogState object holds seven
 * strings and an array, each with its own header and most of them cut from
 * (and keeping alive) the SUBSCRIBE's text; here all the strings of the
 * dialog (RFC 3261 section 12: Call-ID, tags, URIs, remote target, route
 * set) and of the source address live in ONE flat string, and {@link id}
 * is a slice of it. {@link dialog} unpacks a read-only view (rare next to
 * holding: a few allocations of young garbage); the state changes only
 * through {@link createRequest} (the local CSeq), {@link checkRequest} (the
 * remote CSeq and a target refresh) and {@link source}, which re-pack only
 * when a string changed.
 *
 * It is the usage of its dialog in the dialog table (RFC 5057): the table's
 * entry for the dialog is the subscription itself, filed under {@link id}.
 *
 * Work on one subscription is serialized without locks: at most one NOTIFY is
 * in flight (RFC 6665 section 4.2.2); a change meanwhile only sets `dirty`,
 * and the next NOTIFY, sent when the answer comes, carries the latest state.
 * Several changes in quick succession therefore coalesce into one NOTIFY.
 */
export class Subscription implements WheelItem, DialogUsage {
  wheelSlot = -1;
  /** When a failed NOTIFY is to be retried (0: none pending). */
  retryAt = 0;
  /** Set once terminated; the final NOTIFY carries this reason. */
  terminated: string | null = null;
  /** The dialog ID (dialog-id.ts): a slice of {@link packed} when it is the dialog's own key. */
  readonly id: string;
  readonly resource: string;
  readonly subscriber: string;
  /**
   * `key SEP localUri SEP remoteUri SEP remoteTarget SEP protocol SEP address SEP flowId SEP eventId (SEP route)*`;
   * remoteUri is '' when it equals localUri (a user subscribing to their own mailbox); eventId is
   * the `;id=...` of the SUBSCRIBE's Event header, '' without one (nearly always).
   */
  private packed = '';
  private localSeq = 0;
  private remoteSeq = -1;
  private sourcePort = 0;
  /**
   * inFlight, dirty, secure, has an Event id (bits 0-3) and failures (from bit 4):
   * one small integer, not five fields of 8 bytes.
   */
  private bits = 0;
  /**
   * Times in whole seconds since the epoch: small integers, where millisecond
   * timestamps would each be a boxed 16-byte double. Expiry and due times are
   * rounded UP, so nothing happens early (the wheel ticks once a second anyway).
   */
  private readonly createdS: number;
  private expiresS = 0;
  private dueS = 0;

  constructor(
    id: string,
    readonly pkg: EventPackage,
    resource: string,
    subscriber: string,
    dialog: DialogState,
    expiresAt: number,
    source: TxDestination,
    /** Our Contact; the notifier passes one shared string per local address. */
    public localContact: string,
    public packageState: unknown,
    public seqCeiling: number,
    createdAt: number,
    /** Handles the in-dialog requests routed to this usage. */
    private readonly owner: SubscriptionOwner,
    /** The `;id=...` of the Event header (RFC 6665 section 8.2.1), '' when none: part of the usage id, repeated in every NOTIFY. */
    eventId = '',
  ) {
    this.expiresAt = expiresAt;
    this.dueAt = expiresAt;
    this.createdS = Math.floor(createdAt / 1000);
    this.repack(dialog, source, eventId);
    const key = dialogKey(dialog.callId, dialog.localTag, dialog.remoteTag);
    this.id = id === key ? this.packed.slice(0, key.length) : id;
    // The same user subscribing to their own mailbox (the common case) shares one string.
    this.resource = resource;
    this.subscriber = subscriber === resource ? resource : subscriber;
  }

  /** A NOTIFY is in flight (RFC 6665 4.2.2: one at a time). */
  get inFlight(): boolean {
    return (this.bits & 1) !== 0;
  }

  set inFlight(v: boolean) {
    this.bits = v ? this.bits | 1 : this.bits & ~1;
  }

  /** The state changed while a NOTIFY was in flight: send another when it is answered. */
  get dirty(): boolean {
    return (this.bits & 2) !== 0;
  }

  set dirty(v: boolean) {
    this.bits = v ? this.bits | 2 : this.bits & ~2;
  }

  /** Consecutive NOTIFYs that timed out or hit a transport error. */
  get failures(): number {
    return this.bits >>> 4;
  }

  set failures(n: number) {
    this.bits = (this.bits & 15) | (Math.min(n, 0x7ffffff) << 4);
  }

  /** When the subscription expires (epoch ms, rounded up to the second). */
  get expiresAt(): number {
    return this.expiresS * 1000;
  }

  set expiresAt(ms: number) {
    this.expiresS = Math.ceil(ms / 1000);
  }

  /** When the wheel should look at this subscription next: expiry, or a NOTIFY retry (epoch ms, rounded up to the second). */
  get dueAt(): number {
    return this.dueS * 1000;
  }

  set dueAt(ms: number) {
    this.dueS = Math.ceil(ms / 1000);
  }

  /** When it was created (epoch ms, to the second). */
  get createdAt(): number {
    return this.createdS * 1000;
  }

  /** The dialog ID, for the dialog table (the same string as {@link id}). */
  get dialogId(): string {
    return this.id;
  }

  /**
   * The usage id within the dialog (dialog-table.ts usageIdOf): the event
   * package and the Event `id`, as in `message-summary;id=7`; also the value
   * of the Event header of its NOTIFYs.
   */
  get usageId(): string {
    return (this.bits & 8) === 0 ? this.pkg.name : this.pkg.name + this.eventId;
  }

  /** The `;id=...` of the Event header, '' when none (then known without splitting). */
  private get eventId(): string {
    return (this.bits & 8) === 0 ? '' : (this.packed.split(SEP, 2 + F_EVENT_ID)[1 + F_EVENT_ID] ?? '');
  }

  /** An in-dialog request routed here by the dialog table: the owner answers it. */
  onDialogRequest(req: SipRequest, ctx: RequestContext): ReturnType<RequestHandler> {
    return this.owner.onSubscriptionRequest(this, req, ctx);
  }

  /** The dialog state, unpacked: a read-only snapshot (change it with the methods below). */
  get dialog(): DialogStateView {
    return this.dialogState();
  }

  /** A fresh mutable copy, for the methods below only. */
  private dialogState(): DialogState {
    const p = this.packed.split(SEP);
    const [callId = '', localTag = '', remoteTag = ''] = (p[0] ?? '').split('\n');
    const localUri = p[1 + F_LOCAL_URI] ?? '';
    return makeDialogState(
      callId,
      localTag,
      remoteTag,
      localUri,
      p[1 + F_REMOTE_URI] || localUri,
      this.localSeq,
      this.remoteSeq,
      p[1 + F_REMOTE_TARGET] ?? '',
      p.slice(1 + F_ROUTES),
      (this.bits & 4) !== 0,
    );
  }

  /** The dialog's remote target (RFC 3261 section 12.1.1), read without unpacking the whole dialog. */
  get remoteTarget(): string {
    return this.packed.split(SEP, 2 + F_REMOTE_TARGET)[1 + F_REMOTE_TARGET] ?? '';
  }

  /** Whether the dialog is secure (a SIPS Request-URI, RFC 3261 section 12.1.1). */
  get secure(): boolean {
    return (this.bits & 4) !== 0;
  }

  /** The CSeq number of the last request we sent in the dialog. */
  get localCSeq(): number {
    return this.localSeq;
  }

  /**
   * Build a request in the dialog (createInDialogRequest, RFC 3261 section
   * 12.2.1.1) and record the CSeq it took. Throws as createInDialogRequest does,
   * changing nothing.
   */
  createRequest(method: string, opts: InDialogRequestOptions): OutgoingRequest {
    const d = this.dialogState();
    const out = createInDialogRequest(d, method, opts);
    this.usedLocalSeq(d.localSeq);
    return out;
  }

  /**
   * The UAS checks of a request in the dialog (checkInDialogRequest, RFC 3261
   * section 12.2.2): remembers its CSeq and, for a target refresh such as a
   * re-SUBSCRIBE, its Contact as the remote target. 'out-of-order' changes
   * nothing. Throws SipParseError, changing nothing, for a bad CSeq or Contact.
   */
  checkRequest(req: SipRequest): 'ok' | 'out-of-order' {
    const d = this.dialogState();
    const r = checkInDialogRequest(d, req);
    if (r === 'ok') this.repack(d, this.source, this.eventId);
    return r;
  }

  /** Record the CSeq of a request just built in the dialog (the only change sending one makes), without re-packing. */
  usedLocalSeq(seq: number): void {
    this.localSeq = seq;
  }

  /** Where the SUBSCRIBE came from (its flow, for connection reuse): a read-only snapshot; assign a new one to change it. */
  get source(): Readonly<TxDestination> {
    const p = this.packed.split(SEP, 1 + F_ROUTES);
    const protocol = p[1 + F_PROTOCOL] as TxProtocol;
    const flowId = p[1 + F_FLOW] ?? '';
    return flowId === ''
      ? { protocol, address: p[1 + F_ADDRESS] ?? '', port: this.sourcePort, reliable: protocol !== 'udp' }
      : { protocol, address: p[1 + F_ADDRESS] ?? '', port: this.sourcePort, flowId, reliable: protocol !== 'udp' };
  }

  set source(s: TxDestination) {
    this.repack(this.dialog, s, this.eventId);
  }

  /**
   * Seconds left, for `Subscription-State: active;expires=N` (RFC 6665
   * section 4.1.3). Rounded down: the expiry was rounded up to the second,
   * and the subscriber must never be told more than it was granted.
   */
  remainingSeconds(now: number): number {
    return Math.max(0, Math.floor((this.expiresAt - now) / 1000));
  }

  /** The row to persist. */
  toRecord(): SubscriptionRecord {
    const source = this.source;
    return {
      id: this.id,
      event: this.usageId,
      resource: this.resource,
      subscriber: this.subscriber,
      dialog: JSON.stringify(this.dialog),
      expiresAt: this.expiresAt,
      source: { protocol: source.protocol, address: source.address, port: source.port },
      flowId: source.flowId ?? null,
      localContact: this.localContact,
      packageState: this.packageState === undefined ? null : JSON.stringify(this.packageState),
      seqCeiling: this.seqCeiling,
      createdAt: this.createdAt,
    };
  }

  private repack(d: DialogStateView, s: Readonly<TxDestination>, eventId: string): void {
    this.localSeq = d.localSeq;
    this.remoteSeq = d.remoteSeq;
    this.bits = d.secure ? this.bits | 4 : this.bits & ~4;
    this.bits = eventId !== '' ? this.bits | 8 : this.bits & ~8;
    this.sourcePort = s.port;
    const key = dialogKey(d.callId, d.localTag, d.remoteTag);
    const remoteUri = d.remoteUri === d.localUri ? '' : d.remoteUri;
    // Array join makes one flat string that shares nothing with the message the values were cut from.
    const packed = [
      key,
      d.localUri,
      remoteUri,
      d.remoteTarget,
      s.protocol,
      s.address,
      s.flowId ?? '',
      eventId,
      ...d.routeSet,
    ].join(SEP);
    if (packed !== this.packed) this.packed = packed;
  }
}
