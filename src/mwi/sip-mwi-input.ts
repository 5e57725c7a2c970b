import {
  MessageSummaryParseError,
  parseMessageSummary,
  type MessageSummary,
} from '../events/packages/message-summary/message-summary-body.js';
import {
  MESSAGE_SUMMARY,
  resolveMailbox,
  type MailboxOwner,
} from '../events/packages/message-summary/message-summary-package.js';
import { eventName } from '../events/subscribe-headers.js';
import type { RequestContext } from '../sip/core.js';
import { createResponse, randomToken, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { MwiCounts } from '../storage/ports.js';
import type { MwiService } from './mwi-service.js';
import type { TrustedPeers } from './trusted-peers.js';

/** What the SIP MWI inputs need. */
export interface SipMwiInputDeps {
  mwi: MwiService;
  trusted: TrustedPeers;
  findMailbox(userPart: string): MailboxOwner | undefined;
  now(): number;
}

/** PUBLISH expiry bounds (RFC 3903 section 6: 423 below the minimum). */
const PUBLISH_DEFAULT_EXPIRES = 3600;
const PUBLISH_MIN_EXPIRES = 60;
const PUBLISH_MAX_EXPIRES = 86_400;

function countsOf(s: MessageSummary): MwiCounts {
  const v = s.classes.get('voice-message');
  // A summary without a voice-message line still says whether messages wait.
  if (!v) return { new: s.messagesWaiting ? 1 : 0, old: 0, urgentNew: 0, urgentOld: 0 };
  return { new: v.new, old: v.old, urgentNew: Math.min(v.urgentNew, v.new), urgentOld: Math.min(v.urgentOld, v.old) };
}

/**
 * Checks common to NOTIFY and PUBLISH from a voicemail system
 * (PROTOCOLS.md section 3): message-summary only (489), a trusted peer only
 * (403, checked first so strangers learn nothing), a known user (404), MWI on
 * (403 with the reason). Returns the mailbox, or the response to send.
 */
function admit(
  req: SipRequest,
  ctx: RequestContext,
  deps: SipMwiInputDeps,
): { mailbox: string } | { response: SipResponse } {
  if (eventName(req) !== MESSAGE_SUMMARY) {
    const res = createResponse(req, 489, 'Bad Event');
    res.setHeader('Allow-Events', MESSAGE_SUMMARY);
    return { response: res };
  }
  if (!deps.trusted.has(ctx.source.address)) {
    return { response: createResponse(req, 403, 'Forbidden (not a trusted MWI source)') };
  }
  const target = resolveMailbox(req, null, deps);
  if ('status' in target) return { response: createResponse(req, target.status, target.reason) };
  return { mailbox: target.resource };
}

function parseBody(req: SipRequest): MessageSummary | SipResponse {
  const type = (req.getHeader('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/simple-message-summary') {
    const res = createResponse(req, 415, 'Unsupported Media Type');
    res.setHeader('Accept', 'application/simple-message-summary');
    return res;
  }
  try {
    return parseMessageSummary(req.body);
  } catch (e) {
    if (e instanceof MessageSummaryParseError)
      return createResponse(req, 400, `Bad Request (message-summary: ${e.message})`);
    throw e;
  }
}

/**
 * An out-of-dialog NOTIFY `Event: message-summary` from a trusted voicemail
 * system, as Exchange 2010 UM sends to Lync (PROTOCOLS.md section 3): sets
 * that peer's counts for the user of the Request-URI. An in-dialog NOTIFY (a
 * To tag) belongs to no subscription of ours: 481.
 */
export function createMwiNotifyHandler(deps: SipMwiInputDeps): (req: SipRequest, ctx: RequestContext) => SipResponse {
  return (req, ctx) => {
    if (req.to.params.get('tag')) return createResponse(req, 481, 'Call/Transaction Does Not Exist');
    const ok = admit(req, ctx, deps);
    if ('response' in ok) return ok.response;
    const summary = parseBody(req);
    if (!('classes' in summary)) return summary;
    deps.mwi.update({
      mailbox: ok.mailbox,
      source: `sip:${ctx.source.address}`,
      counts: countsOf(summary),
      account: summary.account ?? null,
    });
    return createResponse(req, 200, 'OK');
  };
}

/**
 * PUBLISH of message-summary (RFC 3903, as Kamailio's presence_mwi takes it):
 * initial (body, no SIP-If-Match), refresh (SIP-If-Match, no body), modify
 * (both), remove (Expires: 0). Unknown entity-tag: 412. Each success returns
 * a new SIP-ETag (section 6). The publication is the peer's source for the
 * mailbox; when it expires, its counts go.
 */
export function createMwiPublishHandler(deps: SipMwiInputDeps): (req: SipRequest, ctx: RequestContext) => SipResponse {
  return (req, ctx) => {
    const ok = admit(req, ctx, deps);
    if ('response' in ok) return ok.response;
    let expires = req.expires ?? PUBLISH_DEFAULT_EXPIRES;
    if (expires !== 0 && expires < PUBLISH_MIN_EXPIRES) {
      const res = createResponse(req, 423, 'Interval Too Brief');
      res.setHeader('Min-Expires', String(PUBLISH_MIN_EXPIRES));
      return res;
    }
    expires = Math.min(expires, PUBLISH_MAX_EXPIRES);
    const source = `sip:${ctx.source.address}`;
    const ifMatch = req.getHeader('SIP-If-Match')?.trim();
    const current = deps.mwi.source(ok.mailbox, source);
    if (ifMatch !== undefined && (!current || current.etag !== ifMatch)) {
      return createResponse(req, 412, 'Conditional Request Failed');
    }
    if (expires === 0) {
      if (ifMatch === undefined)
        return createResponse(req, 400, 'Bad Request (removing a publication needs SIP-If-Match)');
      deps.mwi.update({ mailbox: ok.mailbox, source, counts: null });
      const res = createResponse(req, 200, 'OK');
      res.setHeader('Expires', '0');
      return res;
    }
    let counts: MwiCounts;
    let account: string | null = current?.account ?? null;
    if (req.body.length === 0) {
      if (ifMatch === undefined || !current)
        return createResponse(req, 400, 'Bad Request (an initial PUBLISH needs a body)');
      counts = current.counts;
    } else {
      const summary = parseBody(req);
      if (!('classes' in summary)) return summary;
      counts = countsOf(summary);
      account = summary.account ?? account;
    }
    const etag = randomToken(9);
    deps.mwi.update({ mailbox: ok.mailbox, source, counts, account, etag, expiresAt: deps.now() + expires * 1000 });
    const res = createResponse(req, 200, 'OK');
    res.setHeader('SIP-ETag', etag);
    res.setHeader('Expires', String(expires));
    return res;
  };
}
