import type { SipRequest, Via } from '../message/index.js';

/** RFC 3261 section 8.1.1.7: branches of RFC 3261 elements start with this. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** True for a branch made by an RFC 3261 element (magic cookie plus something). */
export function isRfc3261Branch(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

/**
 * Server transaction key, RFC 3261 section 17.2.3: the branch and sent-by of
 * the top Via and the method (INVITE for an ACK). The host is compared
 * case-insensitively; a missing port is kept distinct from an explicit one.
 */
export function serverKey(branch: string, via: Via, method: string): string {
  const m = method === 'ACK' ? 'INVITE' : method;
  return `${branch}\n${via.host.toLowerCase()}:${via.port ?? ''}\n${m}`;
}

/** Client transaction key, RFC 3261 section 17.1.3: top Via branch plus CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

/**
 * RFC 2543 fallback key (RFC 3261 section 17.2.3, last paragraphs): Request-URI,
 * From tag, Call-ID, CSeq number, top Via and `method` (the method of the
 * transaction looked for). The To tag is compared separately by the caller,
 * because an ACK carries the tag of the response rather than the request's.
 * Throws SipParseError when a header cannot be parsed.
 */
export function legacyKey(req: SipRequest, method: string): string {
  const fromTag = req.from.params.get('tag') ?? '';
  const topVia = (req.getHeaderList('Via')[0] ?? '').trim();
  return `${method}\n${req.uri.toString()}\n${fromTag}\n${req.callId}\n${req.cseq.seq}\n${topVia}`;
}

/** The To tag of a request or response, '' when absent. Throws SipParseError on a bad To. */
export function toTagOf(msg: { readonly to: { params: Map<string, string | null> } }): string {
  return msg.to.params.get('tag') ?? '';
}
