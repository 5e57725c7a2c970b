/**
 * The requests of the UM role (PROTOCOLS.md section 3): the out-of-dialog
 * message-summary NOTIFY shaped like Exchange UM's, and the RFC 3903
 * PUBLISH that Kamailio's presence_mwi takes.
 */
import { MESSAGE_SUMMARY, MESSAGE_SUMMARY_TYPE } from '../events/packages/message-summary/message-summary-package.js';
import { formatMessageSummary, summaryFromCounts } from '../events/packages/message-summary/message-summary-body.js';
import { type ViaSentBy, createOutOfDialogRequest } from '../sip/dialog/index.js';
import { SipUri, parseUri, type SipRequest } from '../sip/message/index.js';
import type { MailboxMwi } from './mwi-service.js';
import { MwiTargetError } from './mwi-forwarder-target.js';

/** One lamp state ready to send: built once per change, shared by every target. */
export interface MwiSnapshot {
  readonly state: MailboxMwi;
  /** `sip:NAME@DOMAIN`: Request-URI, From, To and Message-Account. */
  readonly aor: string;
  /** The `application/simple-message-summary` body. */
  readonly body: Buffer;
}

/**
 * What a request does: `notify` (out-of-dialog NOTIFY), or the RFC 3903
 * section 4 PUBLISH kinds: `initial` (body, no SIP-If-Match), `modify`
 * (body and SIP-If-Match), `refresh` (SIP-If-Match, no body).
 */
export type MwiSendKind = 'notify' | 'initial' | 'modify' | 'refresh';

/**
 * The host part of our AORs from the SIP domain (`--domain`): an IPv6
 * address gets its brackets.
 * @throws MwiTargetError('domain')
 */
export function domainHost(domain: string): string {
  const host = domain.includes(':') && !domain.startsWith('[') ? `[${domain}]` : domain;
  try {
    const u = parseUri(`sip:${host}`);
    if (u instanceof SipUri && u.params.size === 0 && u.port === undefined) return u.host;
  } catch {
    // reported below
  }
  throw new MwiTargetError('domain', `SIP domain ${JSON.stringify(domain)} cannot stand in a SIP URI`);
}

/** `sip:NAME@HOST`, the user part escaped as RFC 3261 section 25.1 requires. */
export function mailboxAor(mailbox: string, host: string): string {
  return new SipUri('sip', host, mailbox).toString();
}

/**
 * The snapshot of a lamp: the RFC 3842 section 5.2 body with
 * `Message-Account` = the AOR (as Exchange UM sends it).
 * @throws RangeError for counts no body can carry (the MWI service never has such)
 */
export function snapshotOf(state: MailboxMwi, host: string): MwiSnapshot {
  const aor = mailboxAor(state.mailbox, host);
  const body = Buffer.from(formatMessageSummary(summaryFromCounts({ ...state.counts, account: aor })), 'utf8');
  return { state, aor, body };
}

/** Options of {@link buildForwardRequest}. */
export interface ForwardRequestOptions {
  via: ViaSentBy;
  /** `User-Agent`, e.g. `openum/0.1.0` */
  product: string;
  /** SIP-If-Match of a modify or refresh PUBLISH */
  etag?: string;
  /** Expires of a PUBLISH (seconds) */
  expires: number;
}

/**
 * Builds the request for one send, outside any dialog (RFC 3261 8.1.1):
 * Request-URI, From (new tag) and To (no tag) = the mailbox AOR, new
 * Call-ID, CSeq 1, `Event: message-summary` (RFC 3842 section 3.2),
 * `User-Agent: openum/VERSION`.
 *
 * - NOTIFY: `Subscription-State: terminated` (no subscription: the
 *   Exchange UM form of PROTOCOLS.md section 3), a Contact (RFC 6665
 *   section 8.2.1 wants one in every NOTIFY) and the body.
 * - PUBLISH (RFC 3903 section 4): `Expires`; `SIP-If-Match` for modify
 *   and refresh (section 4.4); the body for initial and modify, none for a
 *   refresh (section 4.3).
 *
 * `body` is required for every kind but `refresh`.
 * Throws DialogError / SipParseError for an AOR or option that cannot be sent.
 */
export function buildForwardRequest(
  kind: MwiSendKind,
  aor: string,
  body: Buffer | undefined,
  o: ForwardRequestOptions,
): SipRequest {
  const headers: [string, string][] = [['Event', MESSAGE_SUMMARY]];
  if (kind === 'notify') {
    headers.push(['Subscription-State', 'terminated']);
  } else {
    headers.push(['Expires', String(o.expires)]);
    if (kind !== 'initial' && o.etag !== undefined) headers.push(['SIP-If-Match', o.etag]);
  }
  headers.push(['User-Agent', o.product]);
  const withBody = kind !== 'refresh' && body !== undefined;
  const out = createOutOfDialogRequest(kind === 'notify' ? 'NOTIFY' : 'PUBLISH', aor, aor, aor, {
    via: o.via,
    headers,
    ...(kind === 'notify' && { contact: contactOf(o.via) }),
    ...(withBody && { body, contentType: MESSAGE_SUMMARY_TYPE }),
  });
  return out.request;
}

/** `sip:HOST:PORT;transport=x` of our listener (the Via sent-by). */
function contactOf(via: ViaSentBy): string {
  const t = via.transport.toLowerCase();
  const host = via.host.includes(':') && !via.host.startsWith('[') ? `[${via.host}]` : via.host;
  return `sip:${host}:${via.port}${t === 'udp' ? '' : `;transport=${t}`}`;
}
