/**
 * Index of the open connections of one transport: by flow id, by peer
 * address:port (both directions: inbound connections are indexed by their
 * source address and port, RFC 3261 section 18.2.2 / RFC 5923), and the
 * admission counters for the per-IP and total connection limits.
 */
import { peerKey } from './address.js';
import type { Endpoint } from './types.js';

/** What the table needs to know about a connection. */
export interface TableEntry {
  readonly flowId: string;
  readonly remote: Endpoint;
  readonly isClosed: boolean;
  close(): void;
}

/** Connections of one transport with their indexes and limits. */
export class ConnectionTable<C extends TableEntry> {
  private readonly byFlow = new Map<string, C>();
  /** Peer key -> connections, most recent last (usually one). */
  private readonly byPeer = new Map<string, C[]>();
  private readonly aliases = new Map<string, string[]>();
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerIp: number,
    private readonly maxTotal: number,
  ) {}

  /** Number of admitted connections (including ones still handshaking). */
  get admitted(): number {
    return this.total;
  }

  /** Number of open, indexed connections. */
  get size(): number {
    return this.byFlow.size;
  }

  /**
   * Admission control: counts one more connection from `ip` (undefined for
   * outbound connections, which only count toward the total). False when a
   * limit would be exceeded; nothing is counted then.
   */
  admit(ip: string | undefined): boolean {
    if (this.total >= this.maxTotal) return false;
    if (ip !== undefined) {
      const n = this.perIp.get(ip) ?? 0;
      if (n >= this.maxPerIp) return false;
      this.perIp.set(ip, n + 1);
    }
    this.total += 1;
    return true;
  }

  /** Undoes one {@link admit}. */
  release(ip: string | undefined): void {
    if (this.total > 0) this.total -= 1;
    if (ip === undefined) return;
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
  }

  add(c: C): void {
    this.byFlow.set(c.flowId, c);
    this.index(peerKey(c.remote.address, c.remote.port), c);
  }

  /** Also find `c` under another peer address (RFC 5923 alias, or the host name it was dialled by). */
  alias(c: C, address: string, port: number): void {
    const key = peerKey(address, port);
    if (!this.byFlow.has(c.flowId)) return;
    this.index(key, c);
    const list = this.aliases.get(c.flowId);
    if (list === undefined) this.aliases.set(c.flowId, [key]);
    else list.push(key);
  }

  remove(c: C): void {
    if (this.byFlow.get(c.flowId) !== c) return;
    this.byFlow.delete(c.flowId);
    this.unindex(peerKey(c.remote.address, c.remote.port), c);
    const list = this.aliases.get(c.flowId);
    if (list !== undefined) {
      for (const key of list) this.unindex(key, c);
      this.aliases.delete(c.flowId);
    }
  }

  get(flowId: string): C | undefined {
    return this.byFlow.get(flowId);
  }

  /** The most recent connection to or from this peer address and port. */
  findByPeer(address: string, port: number): C | undefined {
    const list = this.byPeer.get(peerKey(address, port));
    return list === undefined ? undefined : list[list.length - 1];
  }

  all(): C[] {
    return [...this.byFlow.values()];
  }

  /** True while the flow is open (Transport.hasFlow). */
  hasOpenFlow(flowId: string): boolean {
    const c = this.byFlow.get(flowId);
    return c !== undefined && !c.isClosed;
  }

  /** Close one flow; false when unknown (Transport.closeFlow). */
  closeFlow(flowId: string): boolean {
    const c = this.byFlow.get(flowId);
    if (c === undefined) return false;
    c.close();
    return true;
  }

  /** Also reach `peer` over an open flow (RFC 5923; Transport.aliasFlow). */
  aliasFlow(flowId: string, peer: Endpoint): boolean {
    const c = this.byFlow.get(flowId);
    if (c === undefined || c.isClosed) return false;
    this.alias(c, peer.address, peer.port);
    return true;
  }

  private index(key: string, c: C): void {
    const list = this.byPeer.get(key);
    if (list === undefined) this.byPeer.set(key, [c]);
    else if (!list.includes(c)) list.push(c);
  }

  private unindex(key: string, c: C): void {
    const list = this.byPeer.get(key);
    if (list === undefined) return;
    const i = list.indexOf(c);
    if (i < 0) return;
    if (list.length === 1) this.byPeer.delete(key);
    else list.splice(i, 1);
  }
}
