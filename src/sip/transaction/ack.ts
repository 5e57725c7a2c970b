import { SipRequest } from '../message/index.js';
import type { SipResponse } from '../message/index.js';

/**
 * Builds the ACK a client INVITE transaction sends for a 300-699 response,
 * RFC 3261 section 17.1.1.3: same Request-URI, Call-ID and From as the
 * INVITE, To from the response (with its tag), a single Via equal to the
 * INVITE's top Via (same branch), CSeq number of the INVITE with method ACK,
 * the INVITE's Route header fields, and no body.
 *
 * The ACK shares the INVITE's Request-URI object (neither is mutated).
 */
export function createAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: [string, string][] = [];
  const topVia = invite.getHeaderList('Via')[0];
  if (topVia !== undefined) headers.push(['Via', topVia]);
  for (const route of invite.getHeaders('Route')) headers.push(['Route', route]);
  headers.push(['Max-Forwards', String(invite.maxForwards ?? 70)]);
  headers.push(['From', invite.getHeader('From') ?? '']);
  headers.push(['To', response.getHeader('To') ?? invite.getHeader('To') ?? '']);
  headers.push(['Call-ID', invite.getHeader('Call-ID') ?? '']);
  headers.push(['CSeq', `${invite.cseq.seq} ACK`]);
  return new SipRequest('ACK', invite.uri, headers);
}
