/**
 * The transport layer of RFC 3261 section 18: owns the transports, picks one
 * per destination, routes sends to flows, and forwards what they receive to
 * one delegate (the transaction layer's dispatcher).
 *
 * `send(dest, data, flowId?)`:
 * 1. With a `flowId` of an open flow: over that connection, whatever
 *    `dest` says (RFC 3261 section 18.2.2 responses; RFC 5626 section 5.3
 *    flow-bound requests).
 * 2. Else by `dest.protocol` (and address family): tcp/tls reuse an open
 *    connection to or from `dest` or open one (connect timeout); ws/wss need
 *    an open connection to the peer, else TransportError 'no-flow'; udp
 *    just sends. With `{ strictFlow: true }`, a closed flow rejects with
 *    'flow-failed' instead (the proxy then answers 430 Flow Failed).
 */
import { isIPv4 } from 'node:net';
import { isIPv6Address, normalizeAddress } from './address.js';
import { TransportError } from './transport-error.js';
import type {
  Endpoint,
  InboundData,
  SendOptions,
  Transport,
  TransportDelegate,
  TransportProtocol,
  TransportWarning,
} from './types.js';

/** Options of {@link TransportLayer}. */
export interface TransportLayerOptions {
  delegate?: TransportDelegate;
  transports?: Transport[];
}

/** Owns the transports and routes sends (RFC 3261 section 18). */
export class TransportLayer {
  /** Receiver of everything the transports deliver; settable at any time. */
  delegate: TransportDelegate | undefined;
  private readonly list: Transport[] = [];
  private readonly forwarder: TransportDelegate;

  constructor(opts: TransportLayerOptions = {}) {
    this.delegate = opts.delegate;
    this.forwarder = {
      onData: (d: InboundData) => this.delegate?.onData(d),
      onFlowClosed: (flowId: string) => this.delegate?.onFlowClosed?.(flowId),
      onWarning: (w: TransportWarning) => this.delegate?.onWarning?.(w),
    };
    for (const t of opts.transports ?? []) this.add(t);
  }

  /** Adds a transport (before or after `start`; a late one must be started by the caller). */
  add(t: Transport): void {
    t.delegate = this.forwarder;
    this.list.push(t);
  }

  get transports(): readonly Transport[] {
    return this.list;
  }

  /**
   * The transport for a protocol and destination address: same address
   * family first (IPv6 literal -> IPv6-bound transport), else a dual-stack
   * `::` one for IPv4, else the first of that protocol.
   */
  transportFor(protocol: TransportProtocol, address?: string): Transport | undefined {
    let first: Transport | undefined;
    let dual: Transport | undefined;
    const v6 = address !== undefined && isIPv6Address(address);
    const v4 = address !== undefined && isIPv4(normalizeAddress(address));
    for (const t of this.list) {
      if (t.protocol !== protocol) continue;
      first ??= t;
      if (address === undefined) return t;
      const localV6 = isIPv6Address(t.local.address);
      if ((v6 && localV6) || (v4 && !localV6)) return t;
      if (v4 && t.local.address === '::') dual ??= t;
      if (!v4 && !v6) return t;
    }
    return dual ?? first;
  }

  /** Starts every transport; on a failure stops the ones started and rejects with it. */
  async start(): Promise<void> {
    const started: Transport[] = [];
    try {
      for (const t of this.list) {
        await t.start();
        started.push(t);
      }
    } catch (err) {
      await Promise.allSettled(started.map((t) => t.stop()));
      throw err;
    }
  }

  /** Stops every transport (listeners and connections); always resolves. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.list.map((t) => t.stop()));
  }

  /** See the module documentation. Rejects only with a {@link TransportError}. */
  send(dest: Endpoint, data: Buffer, flowId?: string, opts?: SendOptions): Promise<void> {
    if (flowId !== undefined) {
      const owner = this.flowOwner(flowId);
      if (owner !== undefined) return owner.send(dest, data, flowId, opts);
      if (opts?.strictFlow === true) {
        return Promise.reject(new TransportError('flow-failed', `flow ${flowId} is closed`));
      }
    }
    const t = this.transportFor(dest.protocol, dest.address);
    if (t === undefined) {
      return Promise.reject(new TransportError('no-transport', `no ${dest.protocol} transport`));
    }
    // The flow (if any) is gone: let the transport reuse or open a connection.
    return t.send(dest, data, undefined, opts);
  }

  /** True while some transport has this flow open. */
  hasFlow(flowId: string): boolean {
    return this.flowOwner(flowId) !== undefined;
  }

  /** Closes a flow (e.g. on registrar request); false when unknown. */
  closeFlow(flowId: string): boolean {
    const t = this.flowOwner(flowId);
    return t?.closeFlow?.(flowId) ?? false;
  }

  /** RFC 5923 section 5: let `peer` (a Via sent-by with `;alias`) reach this flow. */
  aliasFlow(flowId: string, peer: Endpoint): boolean {
    const t = this.flowOwner(flowId);
    return t?.aliasFlow?.(flowId, peer) ?? false;
  }

  private flowOwner(flowId: string): Transport | undefined {
    for (const t of this.list) if (t.hasFlow?.(flowId) === true) return t;
    return undefined;
  }
}
