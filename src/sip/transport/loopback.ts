/**
 * In-memory network for deterministic tests of the layers above the
 * transport (transactions, dialogs, registrar, scenarios).
 *
 * A {@link LoopbackNetwork} connects {@link LoopbackTransport}s by endpoint.
 * Delivery is asynchronous through a scheduler (default `queueMicrotask`; a
 * test may inject its own queue to step deliveries by hand).
 *
 * - Datagram mode (`udp`): like UDP, no flow ids; the optional `loss`
 *   function may drop packets; a packet to nobody vanishes.
 * - Flow mode (`tcp`, `tls`, `ws`, `wss`): like a connection-oriented
 *   transport; the first send to a listening endpoint "connects" (the dialler
 *   gets an ephemeral port, as with real sockets), both sides see a flow id,
 *   later sends reuse the connection in either direction, `closeFlow` ends it
 *   on both sides with `onFlowClosed`. Flows never lose data. `ws`/`wss`
 *   transports do not dial unless `dial: true` (a server cannot open
 *   WebSocket connections): they reject with TransportError 'no-flow'.
 */
import { peerKey } from './address.js';
import { nextFlowId } from './flow-id.js';
import { TransportError } from './transport-error.js';
import type { Endpoint, SendOptions, Transport, TransportDelegate, TransportProtocol } from './types.js';

/** One packet/message on the loopback network, as seen by the loss function and the trace. */
export interface LoopbackPacket {
  from: Endpoint;
  to: Endpoint;
  data: Buffer;
  flowId?: string;
}

/** Options of {@link LoopbackNetwork}. */
export interface LoopbackNetworkOptions {
  /** Runs a delivery later; default `queueMicrotask`. */
  schedule?: (fn: () => void) => void;
  /** Return true to drop a datagram (flow-mode traffic is never dropped). */
  loss?: (packet: LoopbackPacket) => boolean;
  /** Sees every packet sent (before loss), e.g. to record a trace. */
  trace?: (packet: LoopbackPacket) => void;
  /** First ephemeral port handed out; default 40000. */
  firstEphemeralPort?: number;
}

/** One side of an in-memory connection. */
interface FlowEnd {
  flowId: string;
  owner: LoopbackTransport;
  local: Endpoint;
  remote: Endpoint;
  peer: FlowEnd | undefined;
  open: boolean;
}

/** The in-memory network. */
export class LoopbackNetwork {
  /** Settable at any time. */
  loss: ((packet: LoopbackPacket) => boolean) | undefined;
  trace: ((packet: LoopbackPacket) => void) | undefined;
  readonly schedule: (fn: () => void) => void;
  private readonly listeners = new Map<string, LoopbackTransport>();
  private nextPort: number;

  constructor(opts: LoopbackNetworkOptions = {}) {
    this.schedule = opts.schedule ?? queueMicrotask;
    this.loss = opts.loss;
    this.trace = opts.trace;
    this.nextPort = opts.firstEphemeralPort ?? 40000;
  }

  /** A port not used by any listener of this network. */
  allocatePort(): number {
    for (;;) {
      const p = this.nextPort;
      this.nextPort = p >= 65535 ? 1024 : p + 1;
      let used = false;
      for (const t of this.listeners.values()) if (t.local.port === p) used = true;
      if (!used) return p;
    }
  }

  /** @internal Registers a started transport; false when the endpoint is taken. */
  register(t: LoopbackTransport): boolean {
    const key = listenerKey(t.protocol, t.local.address, t.local.port);
    if (this.listeners.has(key)) return false;
    this.listeners.set(key, t);
    return true;
  }

  /** @internal */
  unregister(t: LoopbackTransport): void {
    const key = listenerKey(t.protocol, t.local.address, t.local.port);
    if (this.listeners.get(key) === t) this.listeners.delete(key);
  }

  /** The started transport listening at this endpoint, if any. */
  listenerAt(ep: Endpoint): LoopbackTransport | undefined {
    return this.listeners.get(listenerKey(ep.protocol, ep.address, ep.port));
  }
}

/** Options of {@link LoopbackTransport}. */
export interface LoopbackTransportOptions {
  protocol: TransportProtocol;
  /** Address (any string, e.g. '10.0.0.1'); default 127.0.0.1. */
  address?: string;
  /** Port; 0 or unset allocates one from the network. */
  port?: number;
  /** Whether `send` may open a new flow; default true except for ws/wss. */
  dial?: boolean;
  delegate?: TransportDelegate;
}

/** A transport on a {@link LoopbackNetwork}. */
export class LoopbackTransport implements Transport {
  readonly protocol: TransportProtocol;
  delegate: TransportDelegate | undefined;
  private readonly network: LoopbackNetwork;
  private readonly address: string;
  private port: number;
  private readonly canDial: boolean;
  private readonly datagram: boolean;
  private readonly flows = new Map<string, FlowEnd>();
  private readonly byPeer = new Map<string, FlowEnd>();
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(network: LoopbackNetwork, opts: LoopbackTransportOptions) {
    this.network = network;
    this.protocol = opts.protocol;
    this.address = opts.address ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.datagram = opts.protocol === 'udp';
    this.canDial = opts.dial ?? !(opts.protocol === 'ws' || opts.protocol === 'wss');
    this.delegate = opts.delegate;
  }

  get local(): Endpoint {
    return { protocol: this.protocol, address: this.address, port: this.port };
  }

  /** Open flow ids of this transport. */
  get flowIds(): string[] {
    return [...this.flows.keys()];
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError('bind-failed', 'loopback transport already started');
    if (this.port === 0) this.port = this.network.allocatePort();
    if (!this.network.register(this)) {
      throw new TransportError('bind-failed', `loopback ${this.protocol} ${this.address}:${this.port} is in use`);
    }
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    this.network.unregister(this);
    for (const id of [...this.flows.keys()]) this.closeFlow(id);
  }

  send(dest: Endpoint, data: Buffer, flowId?: string, opts?: SendOptions): Promise<void> {
    if (this.state !== 'started') {
      return Promise.reject(
        new TransportError(this.state === 'new' ? 'not-started' : 'stopped', 'loopback transport is not running'),
      );
    }
    const copy = Buffer.from(data); // the receiver must not see later mutations
    if (this.datagram) {
      this.sendDatagram(dest, copy);
      return Promise.resolve();
    }
    let end = flowId === undefined ? undefined : this.flows.get(flowId);
    if (end === undefined && flowId !== undefined && opts?.strictFlow === true) {
      return Promise.reject(new TransportError('flow-failed', `flow ${flowId} is closed`));
    }
    end ??= this.byPeer.get(peerKey(dest.address, dest.port));
    if (end === undefined) {
      if (!this.canDial)
        return Promise.reject(
          new TransportError('no-flow', `${this.protocol}: no connection to ${dest.address}:${dest.port}`),
        );
      const opened = this.dialFlow(dest);
      if (opened instanceof TransportError) return Promise.reject(opened);
      end = opened;
    }
    this.sendOnFlow(end, copy);
    return Promise.resolve();
  }

  hasFlow(flowId: string): boolean {
    return this.flows.has(flowId);
  }

  /** Closes the flow on both sides; each side's delegate hears `onFlowClosed` (scheduled). */
  closeFlow(flowId: string): boolean {
    const end = this.flows.get(flowId);
    if (end === undefined) return false;
    closeEnd(end);
    if (end.peer !== undefined) closeEnd(end.peer);
    return true;
  }

  aliasFlow(flowId: string, peer: Endpoint): boolean {
    const end = this.flows.get(flowId);
    if (end === undefined) return false;
    this.byPeer.set(peerKey(peer.address, peer.port), end);
    return true;
  }

  /** @internal Forgets a closed flow end and tells the delegate, later. */
  detach(end: FlowEnd): void {
    if (this.flows.get(end.flowId) !== end) return;
    this.flows.delete(end.flowId);
    for (const [k, v] of this.byPeer) if (v === end) this.byPeer.delete(k);
    this.network.schedule(() => this.delegate?.onFlowClosed?.(end.flowId));
  }

  /** @internal Accepts a flow dialled by another transport. */
  acceptFlow(remote: Endpoint): FlowEnd {
    const end: FlowEnd = {
      flowId: nextFlowId(this.protocol),
      owner: this,
      local: this.local,
      remote,
      peer: undefined,
      open: true,
    };
    this.flows.set(end.flowId, end);
    this.byPeer.set(peerKey(remote.address, remote.port), end);
    return end;
  }

  /** @internal Delivers to the delegate if still running. */
  deliver(data: Buffer, source: Endpoint, flowId: string | undefined): void {
    if (this.state !== 'started') return;
    const d = this.delegate;
    if (d === undefined) return;
    if (flowId === undefined) d.onData({ data, source, local: this.local });
    else d.onData({ data, source, local: this.local, flowId });
  }

  private sendDatagram(dest: Endpoint, data: Buffer): void {
    const net = this.network;
    const from = this.local;
    const packet: LoopbackPacket = { from, to: { ...dest }, data };
    net.trace?.(packet);
    if (net.loss?.(packet) === true) return;
    net.schedule(() => net.listenerAt({ ...dest, protocol: this.protocol })?.deliver(data, from, undefined));
  }

  private dialFlow(dest: Endpoint): FlowEnd | TransportError {
    const target = this.network.listenerAt({ ...dest, protocol: this.protocol });
    if (target === undefined || target === this) {
      return new TransportError(
        'connect-failed',
        `loopback: nobody listens on ${this.protocol} ${dest.address}:${dest.port}`,
      );
    }
    const local: Endpoint = { protocol: this.protocol, address: this.address, port: this.network.allocatePort() };
    const mine: FlowEnd = {
      flowId: nextFlowId(this.protocol),
      owner: this,
      local,
      remote: target.local,
      peer: undefined,
      open: true,
    };
    const theirs = target.acceptFlow(local);
    mine.peer = theirs;
    theirs.peer = mine;
    this.flows.set(mine.flowId, mine);
    this.byPeer.set(peerKey(dest.address, dest.port), mine);
    return mine;
  }

  private sendOnFlow(end: FlowEnd, data: Buffer): void {
    const peer = end.peer;
    if (peer === undefined) return;
    this.network.trace?.({ from: end.local, to: end.remote, data, flowId: end.flowId });
    this.network.schedule(() => {
      if (peer.open) peer.owner.deliver(data, peer.remote, peer.flowId);
    });
  }
}

function closeEnd(end: FlowEnd): void {
  if (!end.open) return;
  end.open = false;
  end.owner.detach(end);
}

function listenerKey(protocol: TransportProtocol, address: string, port: number): string {
  return `${protocol} ${peerKey(address, port)}`;
}
