import { BlockList, isIP } from 'node:net';

/**
 * The peers whose out-of-dialog NOTIFY / PUBLISH of message-summary we accept
 * (`--trust CIDR`, like a Lync trusted application pool). Backed by Node's
 * own `net.BlockList`, which matches IPv4 and IPv6 subnets; IPv4-mapped IPv6
 * sources are compared as IPv4.
 */
export class TrustedPeers {
  private readonly list = new BlockList();
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
    const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    return this.list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  }
}
