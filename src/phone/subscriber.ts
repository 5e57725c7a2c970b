/**
 * One subscription of the phone, as subscriber (RFC 6665 section 4.1):
 * the initial SUBSCRIBE and its dialog (from the 2xx, RFC 3261 12.1.2, or
 * from a NOTIFY that overtook it, RFC 6665 4.1.2.4), refreshes before
 * expiry (4.1.2.1), NOTIFY/BENOTIFY processing (4.1.3), unsubscribe
 * (4.1.2.3).
 */
import {
  DialogError,
  checkInDialogRequest,
  createDialogFromNotify,
  createInDialogRequest,
  createOutOfDialogRequest,
  createUacDialog,
  refreshTargetFromResponse,
  type DialogState,
  type ViaSentBy,
} from '../sip/dialog/index.js';
import { SipParseError, randomToken, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import { eventPackage, mediaType, type DialectSpec } from './dialects.js';
import type { Lamp } from './lamp.js';
import { PhoneError } from './phone-error.js';
import type { RequestSender } from './request-sender.js';
import { parseSubscriptionState, refreshDelayMs, retryDelayMs, type SubscriptionState } from './timing.js';

/** Who subscribes to what. */
export interface SubscriberIdentity {
  /** Our address-of-record (From, and To: a user subscribes to its own mailbox). */
  aor: string;
  /** The Request-URI: the subscribed resource, `sip:alice@example.com`. */
  targetUri: string;
  /** Our Contact URI (RFC 6665 section 4.1.2.1: SUBSCRIBE carries one). */
  contact: string;
  via(): ViaSentBy;
}

/** What a subscription reports to the phone. */
export interface SubscriberDelegate {
  /** A notification (or the 200 to SUBSCRIBE, ms-piggyback-first-notify) carried this lamp. */
  onLamp(lamp: Lamp, sub: Subscriber): void;
  /**
   * The subscription is over (terminated NOTIFY, 481 to a refresh, expired
   * without a successful refresh). `reason` is the RFC 6665 section 4.1.3
   * reason (or `gone`, `expired`); `retryAfterMs` comes with `probation`
   * and `giveup`.
   */
  onTerminated(sub: Subscriber, reason: string, retryAfterMs: number | undefined): void;
  /** Something worth one line on stderr; the subscription carries on. */
  onWarning(line: string): void;
}

/** The answer to a NOTIFY: a status, or none for a BENOTIFY ([MS-SIP]: never answered). */
export interface NotifyAnswer {
  status: number;
  reason: string;
}

/** A SUBSCRIBE dialog usage of RFC 6665, with its own refresh timer. */
export class Subscriber {
  readonly callId = randomToken();
  readonly fromTag = randomToken();
  private dialog: DialogState | undefined;
  /** The last initial SUBSCRIBE sent: a NOTIFY may create the dialog before its 2xx. */
  private initial: SipRequest | undefined;
  private cseq = 0;
  private expiresAt = 0;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private ended = false;
  private finalNotify: (() => void) | undefined;

  constructor(
    private readonly sender: RequestSender,
    private readonly clock: Clock,
    private readonly spec: DialectSpec,
    private readonly id: SubscriberIdentity,
    private readonly delegate: SubscriberDelegate,
    /** Expiry asked for in every SUBSCRIBE (RFC 3842 default 3600 s). */
    private readonly expires = 3600,
  ) {}

  /** True once the subscription is over (terminated, unsubscribed, lost). */
  get terminated(): boolean {
    return this.ended;
  }

  /**
   * The initial SUBSCRIBE (RFC 6665 section 4.1.2.1), with digest. Resolves
   * once accepted (2xx) and schedules the refresh; rejects with PhoneError.
   */
  async start(): Promise<void> {
    let asked = this.expires;
    for (let attempt = 0; ; attempt++) {
      const { request, response } = await this.sender.send(() => this.buildInitial(asked), true);
      const s = response.status;
      if (s >= 200 && s < 300) {
        this.accepted(request, response, asked);
        return;
      }
      const min = Number(response.getHeader('Min-Expires'));
      if (s === 423 && attempt === 0 && Number.isInteger(min) && min > asked) {
        asked = min;
        continue;
      }
      this.ended = true;
      const what = `${s} ${response.reason}`;
      if (s === 489)
        throw new PhoneError(
          'refused',
          `subscription refused: ${what} (the server does not offer Event: ${this.spec.event})`,
          s,
        );
      if (s === 403 || s === 401 || s === 407) throw new PhoneError('auth-failed', `subscription refused: ${what}`, s);
      throw new PhoneError('refused', `subscription refused: ${what}`, s);
    }
  }

  private buildInitial(expires: number): SipRequest {
    this.cseq += 1;
    const req = createOutOfDialogRequest('SUBSCRIBE', this.id.targetUri, this.id.aor, this.id.aor, {
      via: this.id.via(),
      contact: this.id.contact,
      callId: this.callId,
      fromTag: this.fromTag,
      cseq: this.cseq,
      headers: this.headers(expires),
      ...this.body(),
    }).request;
    this.initial = req;
    return req;
  }

  private headers(expires: number): [string, string][] {
    return [['Event', this.spec.event], ...this.spec.headers, ['Expires', String(expires)]];
  }

  private body(): { body?: Buffer; contentType?: string } {
    return this.spec.body === undefined || this.spec.contentType === undefined
      ? {}
      : { body: this.spec.body, contentType: this.spec.contentType };
  }

  /** A 2xx to the initial SUBSCRIBE: the dialog (RFC 3261 12.1.2), the expiry, a piggy-backed first state. */
  private accepted(req: SipRequest, res: SipResponse, asked: number): void {
    if (this.dialog === undefined) {
      try {
        this.dialog = createUacDialog(req, res);
      } catch (e) {
        this.ended = true;
        throw new PhoneError(
          'refused',
          `the ${res.status} to SUBSCRIBE is unusable: ${(e as Error).message}`,
          res.status,
        );
      }
    } else if (this.dialog.localSeq < req.cseq.seq) {
      this.dialog.localSeq = req.cseq.seq;
    }
    this.granted(res, asked);
    if (res.body.length > 0 && mediaType(res.getHeader('Content-Type')) === this.spec.notifyType) {
      const lamp = this.read(res.body);
      if (lamp !== undefined && typeof lamp !== 'string') this.delegate.onLamp(lamp, this);
    }
  }

  /** Expiry from the 2xx (RFC 6665 section 4.1.2.1: the Expires of the 2xx rules) and the refresh timer. */
  private granted(res: SipResponse, asked: number): void {
    let seconds: number;
    try {
      seconds = res.expires ?? asked;
    } catch {
      seconds = asked; // a malformed Expires in the 2xx: keep what we asked for
    }
    this.expiresAt = this.clock.now() + seconds * 1000;
    this.failures = 0;
    this.schedule(refreshDelayMs(seconds));
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.ended
      ? undefined
      : this.clock.setTimeout(() => {
          this.timer = undefined;
          void this.refresh();
        }, ms);
  }

  /** An in-dialog SUBSCRIBE (RFC 6665 section 4.1.2.1); 481 ends the subscription (4.1.2.2). */
  private async refresh(): Promise<void> {
    const d = this.dialog;
    if (d === undefined || this.ended) return;
    let asked = this.expires;
    try {
      for (let attempt = 0; ; attempt++) {
        const { response } = await this.sender.send(() => this.buildInDialog(d, asked), false);
        if (this.ended) return;
        const s = response.status;
        if (s >= 200 && s < 300) {
          try {
            refreshTargetFromResponse(d, response);
          } catch {
            // keep the old target: the server answered, it is reachable there
          }
          this.granted(response, asked);
          return;
        }
        const min = Number(response.getHeader('Min-Expires'));
        if (s === 423 && attempt === 0 && Number.isInteger(min) && min > asked) {
          asked = min;
          continue;
        }
        if (s === 481 || s === 489 || s === 404 || s === 403) {
          this.end(s === 481 ? 'gone' : `refused ${s}`, undefined);
          return;
        }
        throw new PhoneError('refused', `subscription refresh got ${s} ${response.reason}`, s);
      }
    } catch (e) {
      // PhoneError (timeout, unreachable, refused), DialogError (CSeq exhausted), SipParseError: try again later
      if (!this.ended) this.retryLater(e instanceof Error ? e.message : String(e));
    }
  }

  private retryLater(why: string): void {
    this.failures += 1;
    const left = this.expiresAt - this.clock.now();
    if (left <= 0) {
      this.end('expired', undefined);
      return;
    }
    const delay = Math.min(retryDelayMs(this.failures), left);
    this.delegate.onWarning(`subscription refresh failed (${why}); retrying in ${Math.ceil(delay / 1000)} s`);
    this.schedule(delay);
  }

  private buildInDialog(d: DialogState, expires: number): SipRequest {
    return createInDialogRequest(d, 'SUBSCRIBE', {
      via: this.id.via(),
      contact: this.id.contact,
      headers: this.headers(expires),
      ...this.body(),
    }).request;
  }

  /**
   * Unsubscribe (RFC 6665 section 4.1.2.3: an in-dialog SUBSCRIBE with
   * Expires: 0), then wait for the final NOTIFY. Resolves when that NOTIFY
   * came, or the SUBSCRIBE failed; the caller bounds the wait.
   */
  async unsubscribe(): Promise<void> {
    const d = this.dialog;
    const wasEnded = this.ended;
    this.end('unsubscribed', undefined, false);
    if (d === undefined || wasEnded) return;
    const final = new Promise<void>((resolve) => {
      this.finalNotify = resolve;
    });
    try {
      const { response } = await this.sender.send(() => this.buildInDialog(d, 0), false);
      if (response.status < 200 || response.status >= 300) return;
    } catch {
      return;
    }
    await final;
  }

  /** Stop the refresh timer, forget the subscription; tell the phone unless it asked. */
  private end(reason: string, retryAfterMs: number | undefined, tell = true): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ended) return;
    this.ended = true;
    if (tell) this.delegate.onTerminated(this, reason, retryAfterMs);
  }

  /** Whether a NOTIFY belongs to this subscription: same Call-ID, To tag = our From tag (RFC 6665 section 4.1.3). */
  owns(req: SipRequest): boolean {
    try {
      return req.callId === this.callId && req.to.params.get('tag') === this.fromTag;
    } catch {
      return false;
    }
  }

  /**
   * A NOTIFY or BENOTIFY of this subscription (RFC 6665 section 4.1.3):
   * dialog checks (RFC 3261 12.2.2), Event, Subscription-State, the body.
   * Returns the answer: 200, or 400 (malformed), 415 (body type), 481
   * (another dialog), 489 (another event), 500 (CSeq out of order).
   */
  handleNotify(req: SipRequest): NotifyAnswer {
    if (eventPackage(req.getHeader('Event')) !== this.spec.event) return { status: 489, reason: 'Bad Event' };
    let d = this.dialog;
    try {
      if (d === undefined) {
        if (this.initial === undefined) return { status: 481, reason: 'Subscription Does Not Exist' };
        d = this.dialog = createDialogFromNotify(this.initial, req); // RFC 6665 4.1.2.4
      } else if (req.from.params.get('tag') !== d.remoteTag) {
        return { status: 481, reason: 'Subscription Does Not Exist' }; // a forked dialog we do not keep
      }
      if (checkInDialogRequest(d, req) === 'out-of-order') return { status: 500, reason: 'CSeq Out Of Order' };
    } catch (e) {
      if (e instanceof SipParseError || e instanceof DialogError)
        return { status: 400, reason: `Bad Request (${e.message})` };
      throw e;
    }
    const state = parseSubscriptionState(req.getHeader('Subscription-State'));
    if (state === undefined) return { status: 400, reason: 'Missing Subscription-State' };
    let lamp: Lamp | undefined;
    if (req.body.length > 0) {
      if (mediaType(req.getHeader('Content-Type')) !== this.spec.notifyType)
        return { status: 415, reason: 'Unsupported Media Type' };
      const read = this.read(req.body);
      if (typeof read === 'string') return { status: 400, reason: `Bad Request (${read})` };
      lamp = read;
    }
    if (lamp !== undefined) this.delegate.onLamp(lamp, this);
    this.applyState(state);
    return { status: 200, reason: 'OK' };
  }

  private applyState(state: SubscriptionState): void {
    if (state.state === 'terminated') {
      this.finalNotify?.();
      this.finalNotify = undefined;
      const retry = state.retryAfter === undefined ? undefined : state.retryAfter * 1000;
      this.end(state.reason ?? 'terminated', retry);
      return;
    }
    if (this.ended || state.expires === undefined) return;
    // RFC 6665 4.1.3: the notifier may shorten the subscription; refresh in time.
    const at = this.clock.now() + state.expires * 1000;
    if (at < this.expiresAt) {
      this.expiresAt = at;
      this.schedule(refreshDelayMs(state.expires));
    }
  }

  /** The lamp in a body, or the parse error's message. */
  private read(body: Buffer): Lamp | undefined | string {
    try {
      return this.spec.read(body);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.delegate.onWarning(`unreadable ${this.spec.notifyType} body: ${msg}`);
      return msg;
    }
  }

  /** Stop the timers without a word (the phone is shutting down). */
  close(): void {
    this.end('closed', undefined, false);
    this.finalNotify?.();
    this.finalNotify = undefined;
  }
}
