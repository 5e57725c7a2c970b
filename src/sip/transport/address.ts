/**
 * Address helpers shared by the transports: normalising socket addresses and
 * keys for the connection index (RFC 3261 section 18.2.2: a response goes
 * back over an existing connection to the source address and port).
 */
import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_PREFIX = '::ffff:';

/**
 * Normalises an address for comparison and reporting: strips the brackets of
 * a URI-style IPv6 reference, lower-cases, and reports IPv4-mapped IPv6
 * addresses (from dual-stack sockets) as plain IPv4.
 */
export function normalizeAddress(address: string): string {
  let a = address;
  if (a.length > 1 && a.charCodeAt(0) === 0x5b /* [ */ && a.charCodeAt(a.length - 1) === 0x5d /* ] */) {
    a = a.slice(1, -1);
  }
  a = a.toLowerCase();
  if (a.startsWith(MAPPED_PREFIX) && isIPv4(a.slice(MAPPED_PREFIX.length))) a = a.slice(MAPPED_PREFIX.length);
  return a;
}

/** Key of a peer in a connection index. */
export function peerKey(address: string, port: number): string {
  return `${normalizeAddress(address)}#${port}`;
}

/** True when the address is an IPv6 literal (brackets allowed). */
export function isIPv6Address(address: string): boolean {
  return isIPv6(normalizeAddress(address));
}

/** True for the unspecified addresses `0.0.0.0` and `::`. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}
