import {
  SipParseError,
  SipRequest,
  SipResponse,
  createResponse,
  parseMessage,
  serializeMessage,
} from './message/index.js';
import type { Clock } from '../base/clock.js';
import {
  TransactionLayer,
  statelessErrorResponse,
  type ServerTransaction,
  type TimerSettings,
  type TxDestination,
  type TxProtocol,
} from './transaction/index.js';
import type { ClientTransaction, ClientTransactionHandlers } from './transaction/index.js';
import { acceptCancel, type InviteServerTransaction } from './transaction/index.js';
import { isInDialog, type DialogTable, type DialogUsage } from './dialog/dialog-table.js';
import type { Endpoint, InboundData, TransportLayer } from './transport/index.js';

/** What a request handler learns besides the request itself. */
export interface RequestContext {
  /** Where the request came from (after RFC 3581 stamping); responses go back by RFC 3261 section 18.2.2. */
  source: TxDestination;
  /** Our endpoint it arrived on (a wildcard address replaced by the advertised one): for Contact and Via. */
  local: Endpoint;
  /** The server transaction; handlers normally just return a response. */
  tx: ServerTransaction;
  /**
   * Run `fn` right after the final response has been handed to the
   * transport (e.g. the first NOTIFY of a subscription, which must not
   * overtake the 200, RFC 6665 section 4.2.1.4).
   */
  afterResponse(fn: () => void): void;
  /**
   * Run `fn` when a CANCEL for this INVITE arrives before its final response
   * (RFC 3261 section 9.2). The core has already answered: 200 to the CANCEL,
   * 487 to the INVITE; a handler still working (allocating media) stops.
   */
  onCancel(fn: () => void): void;
}

/**
 * A method handler (the UAS core's delegate, RFC 3261 section 8.2). It returns
 * the final response, or nothing when it answers through `ctx.tx` itself.
 */
export type RequestHandler = (
  req: SipRequest,
  ctx: RequestContext,
) => SipResponse | undefined | Promise<SipResponse | undefined>;

/** What the core reports for logging; never needed for correctness. */
export interface CoreDelegate {
  onParseError?(data: InboundData, error: SipParseError): void;
  onHandlerError?(req: SipRequest, error: unknown): void;
  onFlowClosed?(flowId: string): void;
}

/** Construction options of {@link UserAgentCore}. */
export interface UserAgentCoreOptions {
  transports: TransportLayer;
  clock?: Clock;
  timers?: Partial<TimerSettings>;
  /** Largest message accepted (bytes); beyond, 513 or a dropped datagram. */
  maxMessageSize?: number;
  /** `Server` header of responses and `User-Agent` of requests, e.g. `openum/0.1.0`. */
  product: string;
  /** Option tags we support (RFC 3261 section 8.2.2.3); anything else in Require gets 420. */
  supported?: string[];
  /** Address put in Contact/Via when a listener is bound to a wildcard address (0.0.0.0, ::). */
  advertisedHost?: string;
  /**
   * Resolves once every state change made so far is durable (the store's
   * group commit); responses wait for it, so nothing acknowledged is lost.
   */
  durability?: () => Promise<void> | undefined;
  /**
   * The dialogs of this UA: when given, every in-dialog request (To tag) goes
   * to its usage there, or gets 481 (RFC 3261 section 12.2.2), and the ACK
   * for a 2xx goes to its invite usage. Without it (a UA whose dialogs are
   * not in a table yet, such as the phone) method handlers see everything.
   */
  dialogs?: DialogTable;
  delegate?: CoreDelegate;
}

const DEFAULT_MAX_MESSAGE = 65_535;

/**
 * The UA core (RFC 3261 section 8.2, as a UAS): parses what the transports
 * deliver, answers unparseable requests statelessly (400 with the reason),
 * hands the rest to the transaction layer, and dispatches new requests by
 * method to handlers registered with {@link onRequest}. Performs the UAS
 * checks of section 8.2: 405 with Allow (8.2.1), 416 for an unsupported URI
 * scheme (8.2.2.1), 420 with Unsupported for an unknown Require (8.2.2.3),
 * and answers OPTIONS (section 11.2) unless a handler is registered.
 * With a {@link DialogTable}, an in-dialog request goes to its dialog usage
 * before any method handler sees it.
 */
export class UserAgentCore {
  readonly transactions: TransactionLayer;
  /** The dialog table in-dialog requests are routed through (see {@link UserAgentCoreOptions.dialogs}). */
  readonly dialogs: DialogTable | undefined;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly maxSize: number;
  private readonly supported: Set<string>;
  /** The local endpoint each request in progress arrived on (no field on the message itself). */
  private readonly arrivedOn = new WeakMap<SipRequest, Endpoint>();
  /** What handlers asked to run when their INVITE is cancelled ({@link RequestContext.onCancel}). */
  private readonly cancelWatch = new WeakMap<InviteServerTransaction, () => void>();

  constructor(private readonly opts: UserAgentCoreOptions) {
    this.maxSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
    this.supported = new Set((opts.supported ?? []).map((s) => s.toLowerCase()));
    this.dialogs = opts.dialogs;
    this.transactions = new TransactionLayer({
      send: (msg, dest) =>
        this.opts.transports.send(
          { protocol: dest.protocol, address: dest.address, port: dest.port },
          Buffer.isBuffer(msg) ? msg : serializeMessage(msg as SipRequest | SipResponse),
          dest.flowId,
        ),
      user: {
        onRequest: (tx, req) => this.dispatch(tx, req),
        // The ACK for a 2xx reaches the invite usage of its dialog (RFC 3261 13.3.1.4); any other is absorbed.
        onAck: (ack) => {
          this.dialogs?.ack(ack);
        },
        // RFC 3261 9.2: 200 to the CANCEL, 487 to a still pending INVITE; then the handler hears of it.
        onCancel: (inviteTx, _cancel, cancelTx) => {
          const answered = acceptCancel(inviteTx, cancelTx);
          const fn = this.cancelWatch.get(inviteTx);
          this.cancelWatch.delete(inviteTx);
          if (answered && fn) fn();
        },
      },
      ...(opts.clock && { clock: opts.clock }),
      ...(opts.timers && { timers: opts.timers }),
    });
    opts.transports.delegate = {
      onData: (d) => this.receive(d),
      onFlowClosed: (flowId) => this.opts.delegate?.onFlowClosed?.(flowId),
    };
  }

  /** Register the handler of a method (upper-case, e.g. `REGISTER`). */
  onRequest(method: string, handler: RequestHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
  }

  /** Methods we answer (for Allow, RFC 3261 section 20.5). */
  get allowed(): string[] {
    return [...new Set(['ACK', 'CANCEL', 'OPTIONS', ...this.handlers.keys()])];
  }

  /** Bytes from a transport: parse, or answer statelessly with 400/505/513 and drop garbage (RFC 3261 section 18.1.2/18.2.1). */
  receive(d: InboundData): void {
    const source: TxDestination = {
      protocol: d.source.protocol as TxProtocol,
      address: d.source.address,
      port: d.source.port,
      reliable: d.source.protocol !== 'udp',
      ...(d.flowId !== undefined && { flowId: d.flowId }),
    };
    let msg: SipRequest | SipResponse;
    try {
      msg = parseMessage(d.data, { maxSize: this.maxSize });
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      this.opts.delegate?.onParseError?.(d, e);
      const reply = statelessErrorResponse(d.data, e);
      if (reply) this.opts.transports.send(d.source, reply, d.flowId).catch(() => undefined);
      return;
    }
    if (msg instanceof SipRequest) {
      this.arrivedOn.set(msg, d.local);
      this.transactions.receiveRequest(msg, source);
    } else this.transactions.receiveResponse(msg, source);
  }

  private dispatch(tx: ServerTransaction, req: SipRequest): void {
    const early = this.precheck(req);
    if (early) {
      this.send(tx, early);
      return;
    }
    let usage: DialogUsage | undefined;
    if (this.dialogs) {
      let m: ReturnType<DialogTable['match']> | undefined;
      try {
        m = isInDialog(req) ? this.dialogs.match(req) : undefined;
      } catch (e) {
        this.failed(tx, req, e);
        return;
      }
      if (m === 'no-dialog' || (m === 'no-usage' && req.method !== 'OPTIONS')) {
        // RFC 3261 section 12.2.2 (RFC 5057 section 5.1 for a usage the dialog does not carry).
        this.send(tx, createResponse(req, 481, 'Call/Transaction Does Not Exist'));
        return;
      }
      if (m !== 'no-usage') usage = m; // an in-dialog OPTIONS belongs to no usage: answered below
    }
    const handler = usage ? undefined : this.handlers.get(req.method);
    if (!usage && !handler) {
      this.send(tx, req.method === 'OPTIONS' ? this.optionsResponse(req) : this.methodNotAllowed(req));
      return;
    }
    let out: ReturnType<RequestHandler>;
    let after: (() => void)[] | undefined;
    const ctx: RequestContext = {
      source: tx.source,
      local: this.localFor(req, tx.source),
      tx,
      afterResponse: (fn) => {
        (after ??= []).push(fn);
      },
      onCancel: (fn) => {
        if (tx.kind === 'invite-server') this.cancelWatch.set(tx, fn);
      },
    };
    try {
      out = usage ? usage.onDialogRequest(req, ctx) : handler?.(req, ctx);
    } catch (e) {
      this.failed(tx, req, e);
      return;
    }
    if (out instanceof Promise) {
      out.then(
        (res) => {
          if (res) this.send(tx, res, after);
        },
        (e: unknown) => this.failed(tx, req, e),
      );
    } else if (out) {
      this.send(tx, out, after);
    }
  }

  /** RFC 3261 section 8.2.2.1 and 8.2.2.3 checks; a response when the request must be refused. */
  private precheck(req: SipRequest): SipResponse | undefined {
    const scheme = req.uri.scheme;
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
      return createResponse(req, 416, 'Unsupported URI Scheme');
    }
    if (req.method !== 'CANCEL' && req.method !== 'ACK') {
      const unsupported = req.getHeaderList('Require').filter((t) => !this.supported.has(t.toLowerCase()));
      if (unsupported.length > 0) {
        const res = createResponse(req, 420, 'Bad Extension');
        res.setHeader('Unsupported', unsupported.join(', '));
        return res;
      }
    }
    return undefined;
  }

  /** RFC 3261 section 11.2: OPTIONS gets 200 with what we can do. */
  private optionsResponse(req: SipRequest): SipResponse {
    const res = createResponse(req, 200, 'OK');
    res.setHeader('Allow', this.allowed.join(', '));
    res.setHeader('Accept', 'application/sdp');
    res.setHeader('Accept-Encoding', 'identity');
    res.setHeader('Accept-Language', 'en');
    if (this.supported.size > 0) res.setHeader('Supported', [...this.supported].join(', '));
    return res;
  }

  private methodNotAllowed(req: SipRequest): SipResponse {
    const res = createResponse(req, 405, 'Method Not Allowed');
    res.setHeader('Allow', this.allowed.join(', '));
    return res;
  }

  private failed(tx: ServerTransaction, req: SipRequest, e: unknown): void {
    this.opts.delegate?.onHandlerError?.(req, e);
    const res =
      e instanceof SipParseError
        ? createResponse(req, e.status, `Bad Request (${e.message})`)
        : createResponse(req, 500, 'Server Internal Error');
    this.send(tx, res);
  }

  private send(tx: ServerTransaction, res: SipResponse, after?: (() => void)[]): void {
    if (!res.hasHeader('Server')) res.setHeader('Server', this.opts.product);
    const respond = (r: SipResponse): void => {
      tx.respond(r);
      if (after && r === res) for (const fn of after) fn();
    };
    const durable = this.opts.durability?.();
    if (durable)
      durable.then(
        () => respond(res),
        () => respond(createResponse(tx.request, 500, 'Server Internal Error (storage)')),
      );
    else respond(res);
  }

  private localFor(req: SipRequest, source: TxDestination): Endpoint {
    const l = this.arrivedOn.get(req) ?? { protocol: source.protocol, address: '0.0.0.0', port: 0 };
    if (l.address !== '0.0.0.0' && l.address !== '::') return l;
    return { ...l, address: this.opts.advertisedHost ?? '127.0.0.1' };
  }

  /**
   * Send a request in a client transaction (RFC 3261 section 17.1). A `User-Agent`
   * header is added when missing; the Via must be there (see {@link viaFor}).
   */
  sendRequest(req: SipRequest, dest: TxDestination, handlers: ClientTransactionHandlers): ClientTransaction {
    if (!req.hasHeader('User-Agent')) req.setHeader('User-Agent', this.opts.product);
    return this.transactions.sendRequest(req, dest, handlers);
  }

  /** Send a message outside any transaction (ACK for a 2xx, a BENOTIFY that is never answered). */
  sendStateless(req: SipRequest, dest: TxDestination): void {
    if (!req.hasHeader('User-Agent')) req.setHeader('User-Agent', this.opts.product);
    const r = this.transactions.sendStateless(req, dest);
    if (r instanceof Promise) r.catch(() => undefined);
  }

  /**
   * Our Via sent-by for a destination: the listener of that protocol (RFC 3261
   * section 18.1.1), with a wildcard address replaced by the advertised one.
   */
  viaFor(protocol: TxDestination['protocol']): { transport: string; host: string; port: number } {
    const t = this.opts.transports.transportFor(protocol);
    const address =
      !t || t.local.address === '0.0.0.0' || t.local.address === '::'
        ? (this.opts.advertisedHost ?? '127.0.0.1')
        : t.local.address;
    return {
      transport: protocol.toUpperCase(),
      host: address.includes(':') ? `[${address}]` : address,
      port: t?.local.port ?? 5060,
    };
  }

  /** Stop every transaction (shutdown; the transports are stopped by their owner). */
  close(): void {
    this.transactions.close();
  }
}
