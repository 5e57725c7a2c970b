// Shared helpers of the TransactionLayer unit tests (not a test file itself).
import { SipResponse } from '../../../../src/sip/message/index.js';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import type { ClientTransactionHandlers } from '../../../../src/sip/transaction/client-handlers.js';
import { FakeClock } from '../../../../src/base/clock.js';
import type { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.js';
import type { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server-transaction.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import type { ServerTransaction, TransactionUser } from '../../../../src/sip/transaction/transaction-user.js';
import { Wire } from './fixtures.js';

/** A TU that records what the layer reports (no onCancel: the layer answers CANCEL itself). */
export class User implements TransactionUser {
  readonly requests: ServerTransaction[] = [];
  readonly acks: SipRequest[] = [];
  readonly cancels: [InviteServerTransaction, SipRequest, NonInviteServerTransaction][] = [];
  readonly timeouts: ServerTransaction[] = [];
  onRequest(tx: ServerTransaction): void {
    this.requests.push(tx);
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onTimeout(tx: ServerTransaction): void {
    this.timeouts.push(tx);
  }
}

/** A TU that handles CANCEL itself (records it, answers nothing). */
export class CancelUser extends User {
  onCancel(inviteTx: InviteServerTransaction, cancel: SipRequest, cancelTx: NonInviteServerTransaction): void {
    this.cancels.push([inviteTx, cancel, cancelTx]);
  }
}

export const quiet: ClientTransactionHandlers = { onFinal() {}, onTimeout() {}, onTransportError() {} };

export function layer(
  user: TransactionUser = new User(),
  stampVia = true,
): { clock: FakeClock; wire: Wire; l: TransactionLayer } {
  const clock = new FakeClock();
  const wire = new Wire(clock);
  const l = new TransactionLayer({ send: wire.send, clock, user, stampVia });
  return { clock, wire, l };
}

export function statuses(wire: Wire): number[] {
  return wire.sent.filter((s) => s.msg instanceof SipResponse).map((s) => (s.msg as SipResponse).status);
}
