import { BlockList, isIP } from 'node:net';

/**
 * The peers whose out-of-dialog NOTIFY / PUBLISH of message-summary we accept
 * (`--trust CIDR`, like a Lync trusted application pool). Backed by Node's
 * own `net.BlockList`, which matches IPv4 and IPv6 subnets; IPv4-mapped IPv6
 * sources are compared as IPv4.
 */
export class TrustedPeers {
  private readonly list = new BlockList();
  /** Answers by address: BlockList.check allocates a SocketAddress each call (it showed in NOTIFY profiles). */
  private readonly known = new Map<string, boolean>();
  readonly size: number;

  /** @param cidrs `ADDRESS/BITS` or bare addresses, already validated by the config */
  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [address = '', bits] = c.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.size = cidrs.length;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    let yes = this.known.get(address);
    if (yes === undefined) {
      const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
      yes = this.list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(address, yes);
    }
    return yes;
  }
}
