import type { SipRequest, SipResponse } from '../sip/message/index.js';
import type { Subscription } from './subscription.js';

/** A refusal: the status and reason phrase to answer with (RFC 3261 section 21). */
export interface Refusal {
  status: number;
  reason: string;
}

/** What a NOTIFY carries. */
export interface NotifyContent {
  contentType: string;
  body: Buffer;
}

/** How a package wants its notifications sent. */
export interface NotifyMethod {
  /** `NOTIFY`, or `BENOTIFY` ([MS-SIP] section 3.10: a NOTIFY that is never answered). */
  method: string;
  /** True: send once, no transaction, no retransmission, any answer ignored. */
  fireAndForget: boolean;
}

/**
 * An event package (RFC 6665 section 7.2), registered into the
 * {@link Notifier} as a record with hooks (Kamailio presence habit). The
 * framework knows no package by name.
 */
export interface EventPackage {
  /** The Event header token, e.g. `message-summary` (RFC 6665 section 8.2.1). */
  readonly name: string;
  /** The body type of full-state notifications. */
  readonly contentType: string;
  /** Types acceptable in a SUBSCRIBE's Accept; default `[contentType]` (RFC 6665 section 4.2.1.1: else 406). */
  readonly accept?: readonly string[];
  /** Expiry when the SUBSCRIBE names none, and the bounds (423 below the minimum; longer is shortened). */
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
  /**
   * Which resource a new SUBSCRIBE is for and whether `subscriber` may see it
   * (RFC 6665 section 4.2.1.2: 403 when not authorized, 404 when unknown).
   */
  resolve(req: SipRequest, subscriber: string): { resource: string } | Refusal;
  /** The package's own state of a subscription from its SUBSCRIBE (e.g. a roaming list); may refuse (400). */
  subscribeState?(req: SipRequest, previous: unknown): { state: unknown } | Refusal;
  /** The full current state for one subscription (RFC 6665 section 4.2.2). */
  content(sub: Subscription): NotifyContent;
  /**
   * Adjust the 200 to a SUBSCRIBE (e.g. `Supported: ms-benotify`, or the first
   * state in the body). Return true when the 200 carried the state, so no
   * first NOTIFY is needed.
   */
  decorateAccept?(req: SipRequest, res: SipResponse, sub: Subscription): boolean;
  /** Default: a normal NOTIFY in a client transaction. */
  notifyMethod?(sub: Subscription): NotifyMethod;
  /** Header fields a notification carries besides Event and Subscription-State (e.g. `Require: eventlist`). */
  extraHeaders?(sub: Subscription): [string, string][];
}

/** Type guard for a refusal. */
export function isRefusal(x: object): x is Refusal {
  return 'status' in x;
}
