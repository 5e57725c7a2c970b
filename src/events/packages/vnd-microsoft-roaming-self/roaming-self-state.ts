/**
 * The package state of one roaming-self subscription and the extension
 * negotiation that fills it.
 */
import type { SipRequest } from '../../../sip/message/index.js';
import { isRoamingType, type RoamingType } from './roaming-list.js';

/** `Supported: ms-benotify`: the subscriber takes BENOTIFY ([MS-SIP] section 3.5). */
export const MS_BENOTIFY = 'ms-benotify';
/** `Supported: ms-piggyback-first-notify`: the first state may ride in the 200 ([MS-SIP] section 3.4). */
export const MS_PIGGYBACK_FIRST_NOTIFY = 'ms-piggyback-first-notify';
/** The option tag a roaming-self notification requires, as Lync Server sends it ([MS-PRES] section 4.4.3). */
export const EVENTLIST = 'eventlist';

/**
 * The roaming types a new SUBSCRIBE with an empty body gets. Lync always
 * sends a `roamingList` ([MS-PRES] section 4.4.1); a bare SUBSCRIBE comes
 * from simpler tools (SIPp scripts, `openum phone`), and what they want is
 * the one type openum serves.
 */
export const DEFAULT_ROAMING_TYPES: readonly RoamingType[] = ['categories'];

/**
 * What the package remembers of a subscription; plain JSON, persisted with
 * it. Every flag follows the latest SUBSCRIBE of the dialog (a refresh that
 * stops offering an extension stops its use).
 */
export interface RoamingSelfState {
  /** The scope: roaming types of the latest non-empty `roamingList` ([MS-PRES] section 3.3.5.1). */
  types: RoamingType[];
  /** The SUBSCRIBE offered ms-benotify (`Supported` or `Proxy-Require`). */
  benotify: boolean;
  /** The SUBSCRIBE offered ms-piggyback-first-notify. */
  piggyback: boolean;
  /** The SUBSCRIBE listed `eventlist` in `Supported`, so a normal NOTIFY may `Require` it. */
  eventlist: boolean;
}

/** True when one of the request's `Supported` (or `Proxy-Require`) values is `tag` (compared case-insensitively). */
export function offersOption(req: SipRequest, tag: string, alsoProxyRequire = false): boolean {
  const has = (values: string[]): boolean => values.some((v) => v.trim().toLowerCase() === tag);
  return has(req.getHeaderList('Supported')) || (alsoProxyRequire && has(req.getHeaderList('Proxy-Require')));
}

/**
 * The state of a subscription after a SUBSCRIBE with these types: the
 * extensions the SUBSCRIBE offers. ms-benotify may be offered in
 * `Supported` or in `Proxy-Require` (a Lync client sends both, [MS-SIP]
 * section 4.4); the other two in `Supported` only.
 */
export function negotiate(req: SipRequest, types: RoamingType[]): RoamingSelfState {
  return {
    types,
    benotify: offersOption(req, MS_BENOTIFY, true),
    piggyback: offersOption(req, MS_PIGGYBACK_FIRST_NOTIFY),
    eventlist: offersOption(req, EVENTLIST),
  };
}

function isState(x: unknown): x is RoamingSelfState {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return (
    Array.isArray(s.types) &&
    s.types.every(isRoamingType) &&
    typeof s.benotify === 'boolean' &&
    typeof s.piggyback === 'boolean' &&
    typeof s.eventlist === 'boolean'
  );
}

/**
 * The state of a subscription as the package reads it: `x` itself when it
 * has the right shape (no allocation on the notification path), else a
 * sanitized copy. Persisted state comes back from JSON and may have been
 * written by an older version: unknown types are dropped, missing flags read
 * false, and anything unreadable reads as {@link DEFAULT_ROAMING_TYPES}
 * without extensions (a normal NOTIFY always works).
 */
export function readRoamingSelfState(x: unknown): RoamingSelfState {
  if (isState(x)) return x;
  const s = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const types = Array.isArray(s.types) ? s.types.filter(isRoamingType) : [...DEFAULT_ROAMING_TYPES];
  return { types, benotify: s.benotify === true, piggyback: s.piggyback === true, eventlist: s.eventlist === true };
}
