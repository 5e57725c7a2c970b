/**
 * The `vnd-microsoft-roaming-self` event package: the self subscription of
 * a Lync / Skype for Business endpoint ([MS-PRES] sections 1.3.1.5, 3.3.5.1
 * and 4.4), through which openum, in the role of Lync Server, publishes the
 * `mwi` category of the user's mailbox.
 */
import { uriUser, type SipRequest, type SipResponse } from '../../../sip/message/index.js';
import type { EventPackage, NotifyContent, NotifyMethod, Refusal } from '../../event-package.js';
import { BodyCache } from '../../body-cache.js';
import type { Subscription } from '../../subscription.js';
import type { MessageCounts } from '../message-summary/message-summary-counts.js';
import { formatRoamingData, mwiCategoryOf } from './categories.js';
import { ROAMING_SELF_TYPE } from './namespaces.js';
import { parseRoamingList } from './roaming-list.js';
import { RoamingSelfXmlError, type RoamingSelfXmlErrorCode } from './roaming-self-error.js';
import {
  DEFAULT_ROAMING_TYPES,
  EVENTLIST,
  MS_BENOTIFY,
  MS_PIGGYBACK_FIRST_NOTIFY,
  negotiate,
  readRoamingSelfState,
  type RoamingSelfState,
} from './roaming-self-state.js';

export const ROAMING_SELF = 'vnd-microsoft-roaming-self';

/** Body types a `roamingList` may be declared as: ours, and the generic XML ones. */
const LIST_TYPES = [ROAMING_SELF_TYPE, 'application/xml', 'text/xml'];

/** What the package is given by the layers above (it imports none of them). */
export interface RoamingSelfDeps {
  /** Resolve a Request-URI user part (name or extension) to its mailbox owner. */
  findMailbox(userPart: string): { name: string; mwiEnabled: boolean } | undefined;
  /** The aggregate counts of a mailbox, its persisted version and the time of its last change (epoch ms). */
  state(mailbox: string): { counts: MessageCounts; version: number; changedAt: number };
  /** For the publisher URI `sip:MAILBOX@DOMAIN`. */
  domain: string;
  /**
   * Use BENOTIFY over UDP too (default false). A BENOTIFY is never answered
   * nor retransmitted ([MS-SIP] section 3.5): over UDP a lost datagram would
   * leave the lamp wrong until the next change. [MS-SIP] section 3.5.5.2
   * lets the server decline BENOTIFY "for clients that are known to have
   * unreliable network connectivity"; Lync clients never use UDP anyway.
   * Turn it on for tests that must see a BENOTIFY over UDP.
   */
  benotifyOverUdp?: boolean;
}

/**
 * The package record, with the hook the framework is to call for extra
 * headers of every NOTIFY/BENOTIFY (see {@link RoamingSelfPackage.extraHeaders}).
 */
export interface RoamingSelfPackage extends EventPackage {
  /**
   * Headers to add to each NOTIFY/BENOTIFY of `sub`, after Event and
   * Subscription-State: `Require: eventlist` on every BENOTIFY, as Lync
   * Server sends it ([MS-PRES] section 4.4.3, [MS-SIP] section 4.4), and on
   * a NOTIFY only when the SUBSCRIBE listed `eventlist` in Supported (a UA
   * answers an unknown Require with 420, RFC 3261 section 8.2.2.3).
   */
  extraHeaders(sub: Subscription): [string, string][];
}

const BENOTIFY: NotifyMethod = { method: 'BENOTIFY', fireAndForget: true };
const NOTIFY: NotifyMethod = { method: 'NOTIFY', fireAndForget: false };

const REASONS: Record<RoamingSelfXmlErrorCode, string> = {
  'too-large': 'Request Entity Too Large (roamingList over 64 KiB)',
  body: 'Bad Request (no readable roamingList body)',
  'not-xml': 'Bad Request (roamingList is not well-formed XML)',
  doctype: 'Bad Request (DOCTYPE not accepted in roamingList)',
  namespace: 'Bad Request (bad XML namespace in roamingList)',
  root: 'Bad Request (body is not a roaming-self roamingList)',
  value: 'Bad Request (bad value in roamingList)',
};

function refusalOf(e: RoamingSelfXmlError): Refusal {
  return { status: e.code === 'too-large' ? 413 : 400, reason: REASONS[e.code] };
}

/** True when the body holds nothing but white space. */
function isBlank(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function mediaType(req: SipRequest): string | undefined {
  const v = req.getHeader('Content-Type');
  if (v === undefined) return undefined;
  return (v.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Creates the roaming-self package ([MS-PRES] section 3.3.5.1):
 *
 * - **Who**: only the user's own data. The Request-URI names the mailbox
 *   (404 when unknown); a subscriber other than its owner gets 403. A user
 *   whose MWI is off may still subscribe (the self subscription carries
 *   much more than mwi in Lync, and a client that cannot get it fails to
 *   sign in): the category then reads messageWaiting false and counts 0.
 * - **Scope**: the `roamingList` body; each SUBSCRIBE in the dialog replaces
 *   the list ([MS-PRES] section 3.3.5.1). An empty body keeps the previous
 *   list on a refresh and means {@link DEFAULT_ROAMING_TYPES} on a new
 *   SUBSCRIBE. Malformed XML, a DOCTYPE, a wrong root or namespace, or a
 *   non-XML Content-Type: 400; over 64 KiB: 413. Unknown types are ignored.
 * - **Body**: `categories` (the mwi category) when the scope asks for it.
 *   Containers and subscribers are not written even when asked: openum
 *   keeps neither, and an element would not mean "nothing known" but assert
 *   an empty ACL or subscriber list ([MS-PRES] section 1.3.1.5: a containers
 *   notification carries "the complete new membership", a subscribers one
 *   "the full subscriber list"), which clients act on (pidgin-sipe answers an
 *   empty `containers` with setContainerMembers SERVICE requests that openum
 *   does not serve). Omitting a set is what a notification that does not
 *   concern it does.
 * - **BENOTIFY** ([MS-SIP] section 3.5): used when the latest SUBSCRIBE
 *   offered ms-benotify (`Supported` or `Proxy-Require`) and the transport
 *   is reliable (see {@link RoamingSelfDeps.benotifyOverUdp}); the 200 then
 *   carries `Supported: ms-benotify` ([MS-SIP] sections 3.5.5.2, 4.4).
 * - **Piggyback** ([MS-SIP] section 3.4.5.1): when the SUBSCRIBE offered
 *   ms-piggyback-first-notify, the 200 carries `Supported:
 *   ms-piggyback-first-notify`, Event, Subscription-State, Content-Type and
 *   the full state, and no NOTIFY follows (on a refresh as on a new
 *   SUBSCRIBE), as in [MS-PRES] section 4.11. For a fetch (Expires 0) the
 *   200 says `Subscription-State: terminated;reason=timeout`, as the
 *   in-band provisioning fetch of [MS-SIPREGE] section 2.2.2.2 piggybacks.
 *
 * The body of each (mailbox, version, change time, MWI on/off) is formatted
 * once and shared by all the subscriptions of that mailbox.
 */
export function createRoamingSelfPackage(deps: RoamingSelfDeps): RoamingSelfPackage {
  const cache = new BodyCache<{ version: number; changedAt: number; enabled: boolean }>(
    (a, b) => a.version === b.version && a.changedAt === b.changedAt && a.enabled === b.enabled,
  );
  const noCategories = Buffer.from(formatRoamingData(undefined));

  function categoriesBody(mailbox: string): Buffer {
    const st = deps.state(mailbox);
    const enabled = deps.findMailbox(mailbox)?.mwiEnabled ?? false;
    return cache.get(mailbox, { version: st.version, changedAt: st.changedAt, enabled }, () =>
      formatRoamingData(mwiCategoryOf(`sip:${mailbox}@${deps.domain}`, st.counts, st.version, st.changedAt, enabled)),
    );
  }

  function useBenotify(st: RoamingSelfState, sub: Subscription): boolean {
    return st.benotify && (sub.source.protocol !== 'udp' || deps.benotifyOverUdp === true);
  }

  function content(sub: Subscription): NotifyContent {
    const st = readRoamingSelfState(sub.packageState);
    return {
      contentType: ROAMING_SELF_TYPE,
      body: st.types.includes('categories') ? categoriesBody(sub.resource) : noCategories,
    };
  }

  return {
    name: ROAMING_SELF,
    contentType: ROAMING_SELF_TYPE,
    defaultExpires: 3600,
    minExpires: 60,
    maxExpires: 86_400,

    resolve(req: SipRequest, subscriber: string): { resource: string } | Refusal {
      const user = uriUser(req.uri);
      const owner = user === undefined ? undefined : deps.findMailbox(user);
      if (!owner) return { status: 404, reason: 'Not Found' };
      if (owner.name !== subscriber)
        return { status: 403, reason: 'Forbidden (roaming-self is for your own data only)' };
      return { resource: owner.name };
    },

    subscribeState(req: SipRequest, previous: unknown): { state: RoamingSelfState } | Refusal {
      if (isBlank(req.body)) {
        const types = previous === undefined ? [...DEFAULT_ROAMING_TYPES] : readRoamingSelfState(previous).types;
        return { state: negotiate(req, types) };
      }
      const type = mediaType(req);
      if (type !== undefined && !LIST_TYPES.includes(type)) {
        return { status: 400, reason: `Bad Request (roamingList must be ${ROAMING_SELF_TYPE})` };
      }
      try {
        return { state: negotiate(req, parseRoamingList(req.body)) };
      } catch (e) {
        if (e instanceof RoamingSelfXmlError) return refusalOf(e);
        throw e;
      }
    },

    content,

    decorateAccept(_req: SipRequest, res: SipResponse, sub: Subscription): boolean {
      const st = readRoamingSelfState(sub.packageState);
      if (useBenotify(st, sub)) res.addHeader('Supported', MS_BENOTIFY);
      if (!st.piggyback) return false;
      const c = content(sub);
      res.addHeader('Supported', MS_PIGGYBACK_FIRST_NOTIFY);
      res.setHeader('Event', ROAMING_SELF);
      // Expires 0 is a fetch (RFC 6665 section 4.4.3): the piggybacked state is then also the last one.
      const expires = res.expires ?? 0;
      res.setHeader('Subscription-State', expires > 0 ? `active;expires=${expires}` : 'terminated;reason=timeout');
      res.setHeader('Content-Type', c.contentType);
      res.body = c.body;
      return true;
    },

    notifyMethod(sub: Subscription): NotifyMethod {
      return useBenotify(readRoamingSelfState(sub.packageState), sub) ? BENOTIFY : NOTIFY;
    },

    extraHeaders(sub: Subscription): [string, string][] {
      const st = readRoamingSelfState(sub.packageState);
      return useBenotify(st, sub) || st.eventlist ? [['Require', EVENTLIST]] : [];
    },
  };
}
