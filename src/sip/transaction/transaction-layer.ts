import { SipParseError, createResponse, ownString, randomToken } from '../message/index.js';
import type { SipMessage, SipRequest, SipResponse, Via } from '../message/index.js';
import { acceptCancel } from './cancel.js';
import { CompletedTable, type CompletedDestination } from './completed-table.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import { RealClock, type Clock } from '../../base/clock.js';
import type { TxDestination, TxSend } from './destination.js';
import { TransactionError } from './errors.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { Transaction, TransactionContext } from './transaction-base.js';
import { MAGIC_COOKIE, clientKey, isRfc3261Branch, legacyKey, serverKey, toTagOf } from './transaction-keys.js';
import type { ServerTransaction, TransactionUser } from './transaction-user.js';
import { deriveTimers, type TimerSettings, type TransactionTimers } from './timers.js';
import { replaceTopVia, stampVia } from './via-routing.js';

/** Either client transaction of RFC 3261 section 17.1. */
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

/** Construction options of a {@link TransactionLayer}. */
export interface TransactionLayerOptions {
  /** The way down to the transport. */
  send: TxSend;
  /** The TU; may also be set later through `layer.user`. */
  user?: TransactionUser;
  /** Time source (default RealClock). */
  clock?: Clock;
  /** T1, T2, T4, Timer D and the 100 Trying delay (RFC 3261 17.1.1.1). */
  timers?: Partial<TimerSettings>;
  /** Add received/rport to the top Via of new requests (RFC 3261 18.2.1, RFC 3581); default true. */
  stampVia?: boolean;
}

/**
 * The RFC 3261 section 17 transaction layer: creates the four machines, sends
 * through the transport and matches incoming messages to transactions.
 *
 * - Responses match client transactions by top Via branch and CSeq method
 *   (17.1.3). A response matching none is discarded (RFC 6026 section 8.9).
 * - Requests whose branch has the magic cookie match server transactions by
 *   branch, sent-by and method, ACK and CANCEL looking for the INVITE (17.2.3);
 *   others use the RFC 2543 rules of 17.2.3 (Request-URI, To tag, From tag,
 *   Call-ID, CSeq, top Via).
 * - An ACK not absorbed by an INVITE server transaction goes to `user.onAck`.
 * - A CANCEL creates its own non-INVITE server transaction; if it matches an
 *   INVITE server transaction the TU is told (`onCancel`, default
 *   acceptCancel), otherwise it is answered 481 (RFC 3261 9.2).
 * - Terminated transactions are removed at once.
 *
 * Exceptions thrown by TU callbacks propagate to the caller of receive*.
 */
export class TransactionLayer {
  /** The TU that receives server-side events. */
  user: TransactionUser | undefined;
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  private readonly send: TxSend;
  private readonly stamp: boolean;
  private readonly ctx: TransactionContext;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly legacyServers = new Map<string, ServerTransaction>();
  /** Completed non-INVITE server transactions on UDP: key -> where and what the final response was, for Timer J. */
  private readonly completed: CompletedTable;

  constructor(options: TransactionLayerOptions) {
    this.send = options.send;
    this.user = options.user;
    this.clock = options.clock ?? new RealClock();
    this.timers = deriveTimers(options.timers);
    this.stamp = options.stampVia ?? true;
    this.ctx = {
      clock: this.clock,
      timers: this.timers,
      send: this.send,
      onTerminated: (tx) => this.remove(tx),
      onServerTimeout: (tx) => this.user?.onTimeout?.(tx as ServerTransaction),
      onServerTransportError: (tx, error) => this.user?.onTransportError?.(tx as ServerTransaction, error),
      retireServer: (tx, bytes, dest) => {
        if (tx.key === '' || tx.legacyKey !== undefined) return false; // RFC 2543 matching needs the machine
        const status = (tx as NonInviteServerTransaction).lastFinalStatus;
        // A challenge is sent as a stateless UAS would (RFC 3261 8.2.7, 26.1.5): nothing is kept, so a flood of
        // unauthenticated requests creates no state, and a retransmission is simply challenged again.
        if (status === 401 || status === 407) return true;
        // An own copy of the key: built from the Via branch, it would keep the request's text alive.
        this.completed.add(ownString(tx.key), dest, bytes);
        return true;
      },
      discardsStrayResponses: true,
    };
    this.completed = new CompletedTable(this.clock, this.timers.J);
  }

  /** Live client transactions. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Live server transaction machines (both matching schemes). */
  get serverCount(): number {
    return this.servers.size + this.legacyServers.size;
  }

  /** Completed non-INVITE server transactions on UDP kept as key and final response (Timer J). */
  get completedServerCount(): number {
    return this.completed.size;
  }

  /**
   * Starts a client transaction for `request` (RFC 3261 17.1): INVITE gets an
   * InviteClientTransaction, anything else but ACK a NonInviteClientTransaction.
   * The top Via must exist (the TU or transport adds it); a branch with the
   * magic cookie is added when missing (8.1.1.7).
   * A synchronous transport failure is reported through
   * `handlers.onTransportError` before this returns.
   * @throws TransactionError for ACK, a missing Via or a branch already in use.
   * @throws SipParseError when the request's Via cannot be parsed.
   */
  sendRequest(request: SipRequest, dest: TxDestination, handlers: ClientTransactionHandlers): ClientTransaction {
    if (request.method === 'ACK') {
      throw new TransactionError('ack', 'ACK is sent with sendStateless, never in a client transaction');
    }
    const top = request.vias[0];
    if (top === undefined) throw new TransactionError('no-via', 'request has no Via header field');
    let branch = top.params.get('branch');
    if (!isRfc3261Branch(branch)) {
      branch = MAGIC_COOKIE + randomToken();
      const params = new Map(top.params); // typed views are read-only snapshots
      params.set('branch', branch);
      replaceTopVia(request, { ...top, params });
    }
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) {
      throw new TransactionError(
        'duplicate-branch',
        `a ${request.method} client transaction with branch ${branch} exists`,
      );
    }
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(request, dest, handlers, this.ctx)
        : new NonInviteClientTransaction(request, dest, handlers, this.ctx);
    tx.key = key;
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /**
   * Sends a message outside any transaction: the ACK for a 2xx (RFC 3261
   * 13.2.2.4), 2xx retransmissions of a UAS core are NOT sent this way (they
   * go through the INVITE server transaction, RFC 6026), stateless responses.
   */
  sendStateless(msg: SipMessage, dest: TxDestination): void | Promise<void> {
    return this.send(msg, dest);
  }

  /** A request arrived from the transport (RFC 3261 17.2.3 matching). Malformed requests are dropped. */
  receiveRequest(request: SipRequest, source: TxDestination): void {
    let via: Via | undefined;
    try {
      via = request.vias[0];
    } catch (e) {
      if (e instanceof SipParseError) return;
      throw e;
    }
    if (via === undefined) return;
    const branch = via.params.get('branch');
    if (isRfc3261Branch(branch)) this.receive3261(request, source, via, branch);
    else this.receive2543(request, source);
  }

  /** A response arrived from the transport (RFC 3261 17.1.3 matching). Unmatched ones are discarded. */
  receiveResponse(response: SipResponse, _source: TxDestination): void {
    if (response.status < 100 || response.status > 699) return;
    let branch: string | null | undefined;
    let method: string;
    try {
      branch = response.vias[0]?.params.get('branch');
      method = response.cseq.method;
    } catch (e) {
      if (e instanceof SipParseError) return;
      throw e;
    }
    if (!branch) return;
    this.clients.get(clientKey(branch, method))?.receiveResponse(response);
  }

  /** Stops every transaction without notifying anyone (shutdown). */
  close(): void {
    for (const tx of [...this.clients.values(), ...this.servers.values(), ...this.legacyServers.values()]) tx.abort();
    this.completed.clear();
  }

  /** A retransmitted request of a Completed server transaction gets the final response again (RFC 3261 17.2.2). */
  private resendCompleted(entry: { dest: CompletedDestination; bytes: Buffer }): void {
    const dest: TxDestination = {
      protocol: 'udp',
      address: entry.dest.address,
      port: entry.dest.port,
      reliable: false,
    };
    try {
      const r = this.send(entry.bytes, dest);
      if (r instanceof Promise) r.catch(() => undefined); // as a Completed machine: a failed resend changes nothing
    } catch {
      // same
    }
  }

  private receive3261(req: SipRequest, source: TxDestination, via: Via, branch: string): void {
    const method = req.method;
    if (method === 'ACK') {
      const tx = this.servers.get(serverKey(branch, via, 'INVITE'));
      if (tx instanceof InviteServerTransaction && tx.receiveAck(req) === 'absorbed') return;
      this.user?.onAck(req, source);
      return;
    }
    const key = serverKey(branch, via, method);
    const existing = this.servers.get(key);
    if (existing !== undefined) {
      existing.receiveRetransmission(req);
      return;
    }
    const completed = this.completed.get(key);
    if (completed !== undefined) {
      this.resendCompleted(completed);
      return;
    }
    if (method === 'CANCEL') {
      const target = this.servers.get(serverKey(branch, via, 'INVITE'));
      this.startCancel(req, source, key, undefined, target instanceof InviteServerTransaction ? target : undefined);
      return;
    }
    this.startServer(req, source, key, undefined);
  }

  private receive2543(req: SipRequest, source: TxDestination): void {
    const method = req.method;
    let toTag: string;
    let key: string;
    try {
      toTag = toTagOf(req);
      key = legacyKey(req, method === 'ACK' || method === 'CANCEL' ? 'INVITE' : method);
    } catch (e) {
      if (e instanceof SipParseError) return;
      throw e;
    }
    const match = this.legacyServers.get(key);
    if (method === 'ACK') {
      // The ACK carries the To tag of the response the transaction sent.
      if (
        match instanceof InviteServerTransaction &&
        (match.toTag ?? '') === toTag &&
        match.receiveAck(req) === 'absorbed'
      ) {
        return;
      }
      this.user?.onAck(req, source);
      return;
    }
    if (method === 'CANCEL') {
      let cancelKey: string;
      try {
        cancelKey = legacyKey(req, 'CANCEL');
      } catch (e) {
        if (e instanceof SipParseError) return;
        throw e;
      }
      const again = this.legacyServers.get(cancelKey);
      if (again !== undefined && again.requestToTag === toTag) {
        again.receiveRetransmission(req);
        return;
      }
      const target = match instanceof InviteServerTransaction && match.requestToTag === toTag ? match : undefined;
      this.startCancel(req, source, '', this.legacyServers.has(cancelKey) ? undefined : cancelKey, target);
      return;
    }
    if (match !== undefined && match.requestToTag === toTag) {
      match.receiveRetransmission(req);
      return;
    }
    this.startServer(req, source, '', match === undefined ? key : undefined);
  }

  private createServer(
    req: SipRequest,
    source: TxDestination,
    key: string,
    legacy: string | undefined,
  ): ServerTransaction {
    if (this.stamp) stampVia(req, source);
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(req, source, this.ctx)
        : new NonInviteServerTransaction(req, source, this.ctx);
    tx.key = key;
    tx.legacyKey = legacy;
    if (key !== '') this.servers.set(key, tx);
    if (legacy !== undefined) this.legacyServers.set(legacy, tx);
    tx.start();
    return tx;
  }

  private startServer(req: SipRequest, source: TxDestination, key: string, legacy: string | undefined): void {
    const tx = this.createServer(req, source, key, legacy);
    const user = this.user;
    if (user === undefined) tx.respond(createResponse(req, 503, 'Service Unavailable'));
    else user.onRequest(tx, req);
  }

  private startCancel(
    req: SipRequest,
    source: TxDestination,
    key: string,
    legacy: string | undefined,
    target: InviteServerTransaction | undefined,
  ): void {
    const cancelTx = this.createServer(req, source, key, legacy) as NonInviteServerTransaction;
    if (target === undefined || target.isTerminated) {
      cancelTx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    const onCancel = this.user?.onCancel;
    if (onCancel !== undefined) onCancel.call(this.user, target, req, cancelTx);
    else acceptCancel(target, cancelTx);
  }

  private remove(tx: Transaction): void {
    if (tx.kind === 'invite-client' || tx.kind === 'non-invite-client') {
      if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
      return;
    }
    if (tx.key !== '' && this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
    if (tx.legacyKey !== undefined && this.legacyServers.get(tx.legacyKey) === tx)
      this.legacyServers.delete(tx.legacyKey);
  }
}
