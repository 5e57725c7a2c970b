import { uriUser, type SipRequest } from '../../../sip/message/index.js';
import type { EventPackage, NotifyContent, Refusal } from '../../event-package.js';
import { BodyCache } from '../../body-cache.js';
import type { Subscription } from '../../subscription.js';
import { formatMessageSummary, summaryFromCounts, type MessageCounts } from './message-summary-body.js';

export const MESSAGE_SUMMARY = 'message-summary';
export const MESSAGE_SUMMARY_TYPE = 'application/simple-message-summary';

/** Who owns a mailbox, as the package needs to know it. */
export interface MailboxOwner {
  name: string;
  mwiEnabled: boolean;
}

/** What the package is given by the layers above (it imports none of them). */
export interface MessageSummaryDeps {
  /** Resolve a Request-URI user part (name or extension) to its mailbox owner. */
  findMailbox(userPart: string): MailboxOwner | undefined;
  /** The aggregate counts and version of a mailbox. */
  state(mailbox: string): { counts: MessageCounts; version: number };
  /** For Message-Account: `sip:MAILBOX@DOMAIN`. */
  domain: string;
  /** Bodies to share with other senders of the same state (unsolicited NOTIFYs); default a cache of its own. */
  bodies?: BodyCache<number>;
}

/**
 * Resolve the mailbox a request is for and check that `subscriber` may see
 * it: 404 unknown, 403 someone else's, 403 MWI off (PROTOCOLS.md section 3).
 */
export function resolveMailbox(
  req: SipRequest,
  subscriber: string | null,
  deps: Pick<MessageSummaryDeps, 'findMailbox'>,
): { resource: string } | Refusal {
  const user = uriUser(req.uri);
  const owner = user === undefined ? undefined : deps.findMailbox(user);
  if (!owner) return { status: 404, reason: 'Not Found' };
  if (subscriber !== null && owner.name !== subscriber) return { status: 403, reason: 'Forbidden (not your mailbox)' };
  if (!owner.mwiEnabled) return { status: 403, reason: 'Forbidden (message waiting indication is off for this user)' };
  return { resource: owner.name };
}

/**
 * The RFC 3842 message-summary event package (section 4): no parameters,
 * default expiry 3600 s, full state in every NOTIFY. The body of each
 * (mailbox, version) is formatted once and shared by all its subscribers.
 */
export function createMessageSummaryPackage(deps: MessageSummaryDeps): EventPackage {
  const bodies = deps.bodies ?? messageSummaryBodyCache();
  return {
    name: MESSAGE_SUMMARY,
    contentType: MESSAGE_SUMMARY_TYPE,
    defaultExpires: 3600,
    minExpires: 60,
    maxExpires: 86_400,
    resolve: (req, subscriber) => resolveMailbox(req, subscriber, deps),
    content(sub: Subscription): NotifyContent {
      return { contentType: MESSAGE_SUMMARY_TYPE, body: messageSummaryBody(sub.resource, deps, bodies) };
    },
  };
}

/** A cache of message-summary bodies, stamped with the mailbox version. */
export function messageSummaryBodyCache(): BodyCache<number> {
  return new BodyCache<number>((a, b) => a === b);
}

/** The canonical body of a mailbox's current state, cached per version. */
export function messageSummaryBody(
  mailbox: string,
  deps: Pick<MessageSummaryDeps, 'state' | 'domain'>,
  cache: BodyCache<number>,
): Buffer {
  const st = deps.state(mailbox);
  return cache.get(mailbox, st.version, () =>
    formatMessageSummary(summaryFromCounts({ ...st.counts, account: `sip:${mailbox}@${deps.domain}` })),
  );
}
