/**
 * Who left a message: P-Asserted-Identity (RFC 3325 section 9.1, believed
 * only from a trusted peer, section 4), else From; `Privacy: id` (RFC 3325
 * section 9.3) or `Privacy: header`/`user` (RFC 3323) hides it; a From of
 * `anonymous` (RFC 3323 section 4.1.1.3) is nobody.
 */
import { parseNameAddr, SipParseError, uriUser, type SipRequest } from '../sip/message/index.js';

/** The caller as stored with a message: both null when withheld or unknown. */
export interface CallerIdentity {
  number: string | null;
  name: string | null;
}

const HIDDEN: CallerIdentity = { number: null, name: null };

function identityOf(value: string | undefined): CallerIdentity | undefined {
  if (value === undefined) return undefined;
  try {
    const na = parseNameAddr(value);
    const user = uriUser(na.uri);
    const number = user && user.toLowerCase() !== 'anonymous' ? user : null;
    const name = na.displayName?.trim();
    return { number, name: name && name.toLowerCase() !== 'anonymous' ? name : null };
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}

/** The caller of `req`; `trusted`: the request came from a peer whose P-Asserted-Identity we believe. */
export function callerIdentityOf(req: SipRequest, trusted: boolean): CallerIdentity {
  const privacy = req.getHeaderList('Privacy').map((p) => p.trim().toLowerCase());
  if (privacy.includes('id') || privacy.includes('header') || privacy.includes('user')) return HIDDEN;
  const asserted = trusted ? identityOf(req.getHeaderList('P-Asserted-Identity')[0]) : undefined;
  return asserted ?? identityOf(req.getHeader('From')) ?? HIDDEN;
}
