/** The RFC 3261 section 17 transaction layer (with RFC 6026). */
export { DEFAULT_TIMER_SETTINGS, deriveTimers, type TimerSettings, type TransactionTimers } from './timers.js';
export type { TxDestination, TxProtocol, TxSend } from './destination.js';
export { TransactionError, type TransactionErrorCode } from './errors.js';
export { Transaction, type TransactionContext, type TransactionKind } from './transaction-base.js';
export type { ClientTransactionHandlers } from './client-handlers.js';
export type { ServerTransaction, TransactionUser } from './transaction-user.js';
export { InviteClientState, InviteClientTransaction } from './invite-client-transaction.js';
export { NonInviteClientState, NonInviteClientTransaction } from './non-invite-client-transaction.js';
export { InviteServerState, InviteServerTransaction, type AckDisposition } from './invite-server-transaction.js';
export { NonInviteServerState, NonInviteServerTransaction } from './non-invite-server-transaction.js';
export { createAckForNon2xx } from './ack.js';
export { acceptCancel, createCancel } from './cancel.js';
export { MAGIC_COOKIE, clientKey, isRfc3261Branch, legacyKey, serverKey } from './transaction-keys.js';
export { responseDestination, stampVia } from './via-routing.js';
export { statelessErrorResponse } from './stateless.js';
export { TransactionLayer, type ClientTransaction, type TransactionLayerOptions } from './transaction-layer.js';
