/** Why the transaction layer refused an operation. */
export type TransactionErrorCode =
  | 'no-via' // request to send has no Via (the TU/transport adds one before sendRequest)
  | 'ack' // ACK is never sent in a client transaction of its own (RFC 3261 17.1.1.3, 13.2.2.4)
  | 'duplicate-branch' // a client transaction with this branch and method already exists
  | 'bad-message'; // the message lacks a header the operation needs

/** The only error the transaction layer throws (TU programming errors, not network input). */
export class TransactionError extends Error {
  readonly code: TransactionErrorCode;

  constructor(code: TransactionErrorCode, message: string) {
    super(message);
    this.name = 'TransactionError';
    this.code = code;
  }
}

/** Normalises whatever a transport threw or rejected with into an Error. */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
