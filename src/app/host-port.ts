import { isIP } from 'node:net';
import { UsageError } from './errors.js';

/** A listen address: host (IPv4, IPv6 without brackets, or a name) and port. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parse `HOST:PORT`, `[v6]:PORT` or `PORT`; port 0 means "pick a free one". */
export function parseHostPort(text: string, what: string): HostPort {
  const s = text.trim();
  let host: string;
  let port: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || s[end + 1] !== ':') throw new UsageError(`${what}: expected [IPv6]:PORT, got "${text}"`);
    host = s.slice(1, end);
    port = s.slice(end + 2);
    if (isIP(host) !== 6) throw new UsageError(`${what}: "${host}" is not an IPv6 address`);
  } else if (/^\d+$/.test(s)) {
    host = '0.0.0.0';
    port = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0 || s.indexOf(':') !== i) throw new UsageError(`${what}: expected HOST:PORT, got "${text}"`);
    host = s.slice(0, i);
    port = s.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`${what}: bad port "${port}"`);
  return { host, port: n };
}

/** Format for humans and for the `openum listening` lines. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
