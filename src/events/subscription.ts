import type { DialogState } from '../sip/dialog/index.js';
import type { TxDestination } from '../sip/transaction/index.js';
import type { SubscriptionRecord } from '../storage/ports.js';
import type { EventPackage } from './event-package.js';
import type { WheelItem } from './timing-wheel.js';

/** CSeq numbers are reserved in blocks this big, so a restart can skip past any number used (RFC 3261 section 12.2.1.1). */
export const SEQ_BLOCK = 1000;

/**
 * One subscription of RFC 6665 on the notifier side: the dialog, the
 * resource, the expiry, and the state of its notifications. Kept small (no
 * timer objects, no parsed messages) so 100,000 of them fit in 100 MB.
 *
 * Work on one subscription is serialized without locks: at most one NOTIFY is
 * in flight (RFC 6665 section 4.2.2); a change meanwhile only sets `dirty`,
 * and the next NOTIFY, sent when the answer comes, carries the latest state.
 * Several changes in quick succession therefore coalesce into one NOTIFY.
 */
export class Subscription implements WheelItem {
  /** When the wheel should look at this subscription next: expiry, or a NOTIFY retry. */
  dueAt: number;
  wheelSlot = -1;
  inFlight = false;
  dirty = false;
  /** Consecutive NOTIFYs that timed out or hit a transport error. */
  failures = 0;
  /** When a failed NOTIFY is to be retried (0: none pending). */
  retryAt = 0;
  /** Set once terminated; the final NOTIFY carries this reason. */
  terminated: string | null = null;

  constructor(
    readonly id: string,
    readonly pkg: EventPackage,
    readonly resource: string,
    readonly subscriber: string,
    public dialog: DialogState,
    public expiresAt: number,
    public source: TxDestination,
    public localContact: string,
    public packageState: unknown,
    public seqCeiling: number,
    readonly createdAt: number,
  ) {
    this.dueAt = expiresAt;
  }

  /** Seconds left, for `Subscription-State: active;expires=N` (RFC 6665 section 4.1.3). */
  remainingSeconds(now: number): number {
    return Math.max(0, Math.ceil((this.expiresAt - now) / 1000));
  }

  /** The row to persist. */
  toRecord(): SubscriptionRecord {
    return {
      id: this.id, event: this.pkg.name, resource: this.resource, subscriber: this.subscriber,
      dialog: JSON.stringify(this.dialog), expiresAt: this.expiresAt,
      source: { protocol: this.source.protocol, address: this.source.address, port: this.source.port },
      flowId: this.source.flowId ?? null, localContact: this.localContact,
      packageState: this.packageState === undefined ? null : JSON.stringify(this.packageState),
      seqCeiling: this.seqCeiling, createdAt: this.createdAt,
    };
  }
}
