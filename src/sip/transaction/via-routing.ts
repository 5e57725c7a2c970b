import { formatVia } from '../message/index.js';
import type { SipMessage, SipRequest, Via } from '../message/index.js';
import type { TxDestination } from './destination.js';

/**
 * Server transport receive processing of the top Via, RFC 3261 section
 * 18.2.1 with RFC 3581 section 4: adds `received` when the sent-by host
 * differs from the packet's source address, and fills an empty `rport` with
 * the source port (then `received` is always added). Responses built from the
 * request copy the stamped Via, so the client learns its public address.
 *
 * Rewrites the Via header fields only when something changed (they are then
 * moved, in order, to the top of the header list).
 * @returns true when the request was modified.
 */
export function stampVia(req: SipRequest, source: TxDestination): boolean {
  const parsed = req.vias[0];
  if (parsed === undefined) return false;
  const top: Via = { ...parsed, params: new Map(parsed.params) }; // typed views are read-only snapshots
  const params = top.params;
  let changed = false;
  if (params.has('rport') && !params.get('rport')) {
    params.set('rport', String(source.port));
    params.set('received', source.address);
    changed = true;
  } else if (unbracket(top.host).toLowerCase() !== unbracket(source.address).toLowerCase()) {
    params.set('received', source.address);
    changed = true;
  }
  if (!changed) return false;
  replaceTopVia(req, top);
  return true;
}

/**
 * Replaces the top Via value of a message with `via`, keeping the others in
 * order. The Via header fields end up first in the header list.
 */
export function replaceTopVia(msg: SipMessage, via: Via): void {
  const rest = msg.getHeaderList('Via').slice(1);
  const topText = formatVia(via);
  msg.removeHeader('Via');
  for (let i = rest.length - 1; i >= 0; i--) msg.prependHeader('Via', rest[i] as string);
  msg.prependHeader('Via', topText);
}

/**
 * Where a server transaction sends its responses, RFC 3261 section 18.2.2 and
 * RFC 3581 section 4 (the rules pjsip's `pjsip_get_response_addr` follows):
 * - reliable transport: back over the same connection (flow) it came on;
 * - `maddr` present: that address, the sent-by port or 5060;
 * - `rport` present: the source address and source port;
 * - otherwise: the source address (the `received` value) and the sent-by
 *   port, or 5060.
 */
export function responseDestination(via: Via | undefined, source: TxDestination): TxDestination {
  if (source.reliable || via === undefined) return { ...source };
  const maddr = via.params.get('maddr');
  if (maddr) {
    return { protocol: source.protocol, address: unbracket(maddr), port: via.port ?? 5060, reliable: false };
  }
  if (via.params.has('rport')) {
    return { protocol: source.protocol, address: source.address, port: source.port, reliable: false };
  }
  return { protocol: source.protocol, address: source.address, port: via.port ?? 5060, reliable: false };
}

function unbracket(host: string): string {
  return host.length > 1 && host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d
    ? host.slice(1, -1)
    : host;
}
