/**
 * The UAS side of an INVITE session (RFC 3261 sections 13, 14 and 15) as a
 * usage of the UA's one dialog table (RFC 5057): the answer and its 2xx
 * retransmissions until the ACK (13.3.1.4), re-INVITEs (14.2), OPTIONS and
 * INFO inside the dialog, and BYE either way (15.1). Media is not known
 * here: bodies go to and come from a {@link InviteSessionDelegate} as text.
 */
import type { Clock, TimerHandle } from '../../base/clock.js';
import { createResponse, randomToken, type SipRequest, type SipResponse } from '../message/index.js';
import type { RequestContext, UserAgentCore } from '../core.js';
import type { ClientTransactionHandlers, ServerTransaction, TxDestination } from '../transaction/index.js';
import {
  checkInDialogRequest,
  contactValue,
  copyRecordRoute,
  createInDialogRequest,
  createUasDialog,
  dialogKey,
  INVITE_USAGE,
  resolveUriTarget,
  type DialogState,
  type DialogTable,
  type DialogUsage,
  type ViaSentBy,
} from '../dialog/index.js';

/** Why a session ended. */
export type SessionEnd =
  /** the peer sent BYE (RFC 3261 15.1.2) */
  | 'bye'
  /** we sent BYE ({@link InviteServerSession.hangUp}) */
  | 'hangup'
  /** no ACK for a 2xx within 64*T1: we sent BYE (13.3.1.4) */
  | 'no-ack';

/** What a re-INVITE's offer is answered with: an SDP body, or a refusal (488, 400...). */
export type OfferResult = { sdp: string } | { status: number; reason: string };

/** The session's owner (the voicemail call): sees bodies and the end, never transactions. */
export interface InviteSessionDelegate {
  /** An ACK for one of our 2xx; `sdp` is its body (the answer when our 2xx carried the offer). */
  onAck(sdp: string | undefined, initial: boolean): void;
  /** A re-INVITE (RFC 3261 14.2): its offer, or undefined when it has none (then we offer and the ACK answers). */
  onReinvite(offer: string | undefined): OfferResult;
  /** An INFO in the dialog (RFC 6086; SIP INFO DTMF as many PBXes send it); the status to answer. */
  onInfo?(req: SipRequest): number;
  /** The session is over; called once. */
  onEnded(why: SessionEnd): void;
}

/** What a session needs of the UA core. */
export interface SessionHost {
  readonly dialogs: DialogTable;
  readonly clock: Clock;
  /** RFC 3261 T1 and T2 (ms). */
  readonly t1: number;
  readonly t2: number;
  sendRequest(req: SipRequest, dest: TxDestination, handlers: ClientTransactionHandlers): unknown;
  viaFor(protocol: TxDestination['protocol']): ViaSentBy;
}

/** The {@link SessionHost} of a UA core with a dialog table. */
export function sessionHostOf(core: UserAgentCore): SessionHost {
  const dialogs = core.dialogs;
  if (!dialogs) throw new Error('INVITE sessions need a UA core with a dialog table');
  const { clock, timers } = core.transactions;
  return {
    dialogs,
    clock,
    t1: timers.t1,
    t2: timers.t2,
    sendRequest: (req, dest, handlers) => core.sendRequest(req, dest, handlers),
    viaFor: (protocol) => core.viaFor(protocol),
  };
}

/** Methods a session answers (RFC 3261 20.5 Allow). */
export const SESSION_ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';

/** A 2xx waiting for its ACK (RFC 3261 13.3.1.4). */
interface Unacked {
  tx: ServerTransaction;
  res: SipResponse;
  seq: number;
  interval: number;
  timer: TimerHandle;
  giveUpAt: number;
  initial: boolean;
}

/**
 * One INVITE session where we are the UAS. Made from the dialog-creating
 * INVITE ({@link InviteServerSession.create}), answered with {@link answer},
 * then it lives in the dialog table until either side sends BYE.
 */
export class InviteServerSession implements DialogUsage {
  readonly dialogId: string;
  readonly usageId = INVITE_USAGE;
  private unacked: Unacked | undefined;
  private ended = false;
  private delegate: InviteSessionDelegate | undefined;

  private constructor(
    private readonly host: SessionHost,
    readonly dialog: DialogState,
    /** Our Contact (RFC 3261 12.1.1: the 2xx carries it; it is the remote target of the peer's requests). */
    readonly localContact: string,
    /** Where the INVITE came from: a stream flow is reused for our requests (RFC 5626 habit). */
    private readonly source: TxDestination,
  ) {
    this.dialogId = dialogKey(dialog.callId, dialog.localTag, dialog.remoteTag);
  }

  /**
   * The dialog an initial INVITE would create (RFC 3261 12.1.1), not yet in
   * the table. Throws SipParseError (answer 400) when Contact, Record-Route,
   * From, To or CSeq is unusable.
   */
  static create(host: SessionHost, invite: SipRequest, ctx: RequestContext): InviteServerSession {
    const dialog = createUasDialog(invite, randomToken());
    const local = ctx.local;
    return new InviteServerSession(host, dialog, contactValue(local.address, local.port, local.protocol), ctx.source);
  }

  /** Our To tag: every response to the INVITE carries it. */
  get localTag(): string {
    return this.dialog.localTag;
  }

  /** Whether the session has ended. */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Answer the initial INVITE with 200 and `sdp` (the answer, or our offer
   * when the INVITE had none), enter the dialog table, and retransmit the
   * 2xx until the ACK (RFC 3261 13.3.1.4). Returns false, changing nothing,
   * when the transaction can no longer take a 2xx (it was cancelled).
   */
  answer(ctx: RequestContext, invite: SipRequest, sdp: string, delegate: InviteSessionDelegate): boolean {
    const res = this.okWith(invite, sdp);
    copyRecordRoute(invite, res);
    if (!ctx.tx.respond(res)) return false;
    this.delegate = delegate;
    this.host.dialogs.add(this);
    this.awaitAck(ctx.tx, res, invite.cseq.seq, true);
    return true;
  }

  /** Send BYE (RFC 3261 15.1.1) and end the session; nothing when it has ended. */
  hangUp(): void {
    this.end('hangup');
  }

  /** @internal In-dialog requests from the dialog table (RFC 3261 12.2.2). */
  onDialogRequest(req: SipRequest, ctx: RequestContext): SipResponse | undefined {
    if (this.ended) return createResponse(req, 481, 'Call/Transaction Does Not Exist');
    if (checkInDialogRequest(this.dialog, req) === 'out-of-order') {
      return createResponse(req, 500, 'Server Internal Error (CSeq out of order)');
    }
    switch (req.method) {
      case 'BYE':
        this.end('bye');
        return createResponse(req, 200, 'OK');
      case 'INVITE':
        return this.reinvite(req, ctx);
      case 'OPTIONS': {
        const res = createResponse(req, 200, 'OK');
        res.setHeader('Allow', SESSION_ALLOW);
        res.setHeader('Accept', 'application/sdp');
        return res;
      }
      case 'INFO':
        return createResponse(req, this.delegate?.onInfo?.(req) ?? 200);
      default: {
        const res = createResponse(req, 405, 'Method Not Allowed');
        res.setHeader('Allow', SESSION_ALLOW);
        return res;
      }
    }
  }

  /** @internal The ACK for a 2xx (RFC 3261 13.3.1.4): stops its retransmissions. */
  onDialogAck(ack: SipRequest): void {
    const u = this.unacked;
    if (!u || ack.cseq.seq !== u.seq || this.ended) return; // a late or stray ACK is absorbed
    this.host.clock.clearTimeout(u.timer);
    this.unacked = undefined;
    const sdp = ack.body.length > 0 ? ack.body.toString('utf8') : undefined;
    this.delegate?.onAck(sdp, u.initial);
  }

  /** RFC 3261 14.2: a re-INVITE (hold, a new address, a session refresh). */
  private reinvite(req: SipRequest, ctx: RequestContext): SipResponse | undefined {
    if (this.unacked) {
      // 14.2: an INVITE while ours is not finished gets 500 with a Retry-After of 0-10 s
      const res = createResponse(req, 500, 'Server Internal Error (previous INVITE not acknowledged)');
      res.setHeader('Retry-After', String(1 + Math.floor(Math.random() * 9)));
      return res;
    }
    const offer = req.body.length > 0 ? req.body.toString('utf8') : undefined;
    const r = this.delegate?.onReinvite(offer) ?? { status: 488, reason: 'Not Acceptable Here' };
    if ('status' in r) return createResponse(req, r.status, r.reason);
    const res = this.okWith(req, r.sdp);
    if (ctx.tx.respond(res)) this.awaitAck(ctx.tx, res, req.cseq.seq, false);
    return undefined; // answered through the transaction, as the retransmissions will be
  }

  private okWith(req: SipRequest, sdp: string): SipResponse {
    const res = createResponse(req, 200, 'OK', this.dialog.localTag);
    res.setHeader('Contact', this.localContact);
    res.setHeader('Allow', SESSION_ALLOW);
    res.setHeader('Content-Type', 'application/sdp');
    res.body = Buffer.from(sdp, 'utf8');
    return res;
  }

  /** Retransmit `res` at T1, 2*T1... up to T2 until its ACK; 64*T1 without one ends the session (13.3.1.4). */
  private awaitAck(tx: ServerTransaction, res: SipResponse, seq: number, initial: boolean): void {
    const { clock, t1 } = this.host;
    const u: Unacked = {
      tx,
      res,
      seq,
      interval: t1,
      timer: clock.setTimeout(() => this.retransmit(), t1),
      giveUpAt: clock.now() + 64 * t1,
      initial,
    };
    this.unacked = u;
  }

  private retransmit(): void {
    const u = this.unacked;
    if (!u || this.ended) return;
    const { clock, t2 } = this.host;
    if (clock.now() >= u.giveUpAt) {
      this.unacked = undefined;
      this.end('no-ack');
      return;
    }
    u.tx.respond(u.res);
    u.interval = Math.min(2 * u.interval, t2);
    u.timer = clock.setTimeout(() => this.retransmit(), Math.min(u.interval, u.giveUpAt - clock.now()));
  }

  private end(why: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    if (this.unacked) this.host.clock.clearTimeout(this.unacked.timer);
    this.unacked = undefined;
    this.host.dialogs.remove(this);
    if (why !== 'bye') this.sendBye();
    this.delegate?.onEnded(why);
  }

  /** RFC 3261 15.1.1: BYE in the dialog; its answer changes nothing (the session is over either way). */
  private sendBye(): void {
    const reliableFlow = this.source.flowId !== undefined && this.source.protocol !== 'udp';
    try {
      const remote = reliableFlow ? undefined : resolveUriTarget(this.dialog.remoteTarget, this.dialog.secure);
      const out = createInDialogRequest(this.dialog, 'BYE', {
        via: this.host.viaFor(remote?.protocol ?? this.source.protocol),
        contact: this.localContact,
      });
      let dest: TxDestination = this.source;
      if (remote) {
        const t =
          out.destinationUri === this.dialog.remoteTarget
            ? remote
            : resolveUriTarget(out.destinationUri, this.dialog.secure);
        dest = { protocol: t.protocol, address: t.address, port: t.port, reliable: t.protocol !== 'udp' };
      }
      this.host.sendRequest(out.request, dest, {
        onFinal: () => undefined,
        onTimeout: () => undefined,
        onTransportError: () => undefined,
      });
    } catch {
      // An unusable remote target: nothing can reach the peer; the session is over on our side.
    }
  }
}
