/**
 * The phone's reading of a Lync roaming-self notification
 * (`application/vnd-microsoft-roaming-self+xml`, [MS-PRES], PROTOCOLS.md
 * section 4): the `mwi` category of the self container, and the
 * `roamingList` body of the phone's SUBSCRIBE.
 */
import { CodedError } from '../base/coded-error.js';
import { XmlError } from '../base/xml/xml-error.js';
import { parseXmlTree, type XmlElement } from '../base/xml/xml-tree.js';
import { ROAMING_SELF_NS } from '../events/packages/vnd-microsoft-roaming-self/namespaces.js';
import type { Lamp } from './lamp.js';

/** Largest notification body we read. */
export const MAX_ROAMING_SELF_BYTES = 65536;

/** The `roamingList` a Lync endpoint subscribes with (PROTOCOLS.md section 4). */
export const ROAMING_LIST_BODY =
  `<roamingList xmlns="${ROAMING_SELF_NS}">` +
  '<roaming type="categories"/><roaming type="containers"/><roaming type="subscribers"/>' +
  '</roamingList>';

/** Why a roaming-self body could not be read. */
export type RoamingSelfParseErrorCode = 'too-large' | 'xml' | 'root' | 'mwi';

/** The only error {@link parseRoamingSelfMwi} throws. */
export class RoamingSelfParseError extends CodedError<RoamingSelfParseErrorCode> {
  override readonly name = 'RoamingSelfParseError';
}

function children(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.get(name)?.trim();
}

function count(el: XmlElement, name: string): number {
  const v = attr(el, name);
  if (v === undefined) return 0;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 0xffffffff)
    throw new RoamingSelfParseError('mwi', `${name}="${v}" is not a count`);
  return Number(v);
}

/** Self container (1), instance 0 first: that is where the server publishes mwi ([MS-PRES]). */
function rank(c: XmlElement): number {
  return (
    (attr(c, 'container') === '1' ? 0 : 2) + (attr(c, 'instance') === '0' || attr(c, 'instance') === undefined ? 0 : 1)
  );
}

/**
 * Reads the mwi category of a `roamingData` body (in a NOTIFY/BENOTIFY or
 * piggy-backed in the 200 to SUBSCRIBE). Returns undefined when the body
 * carries no mwi state (another category changed, or the category was
 * deleted). new <- `unreadVoiceMailCount`, old <- `readVoiceMailCount`,
 * on <- `messageWaiting` (when absent: new > 0), version <- the
 * category's `version`. Parsed with the shared namespace-aware reader
 * (src/base/xml/), but elements are matched by local name only: a client
 * takes what a server sends, namespaced or not.
 *
 * Throws RoamingSelfParseError only.
 */
export function parseRoamingSelfMwi(body: Buffer | string): Lamp | undefined {
  let root: XmlElement;
  try {
    root = parseXmlTree(body, MAX_ROAMING_SELF_BYTES);
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    throw new RoamingSelfParseError(e.code === 'too-large' ? 'too-large' : 'xml', e.message);
  }
  if (root.local !== 'roamingData') throw new RoamingSelfParseError('root', 'no roamingData element');
  const candidates: [XmlElement, XmlElement][] = [];
  for (const cats of children(root, 'categories')) {
    for (const c of children(cats, 'category')) {
      const mwi = children(c, 'mwi')[0];
      if (attr(c, 'name') === 'mwi' && mwi !== undefined) candidates.push([c, mwi]);
    }
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => rank(a[0]) - rank(b[0]));
  const [category, mwi] = candidates[0] as [XmlElement, XmlElement];
  const newCount = count(mwi, 'unreadVoiceMailCount');
  const oldCount = count(mwi, 'readVoiceMailCount');
  const waiting = attr(mwi, 'messageWaiting')?.toLowerCase();
  if (waiting !== undefined && waiting !== 'true' && waiting !== 'false') {
    throw new RoamingSelfParseError('mwi', `messageWaiting="${waiting}" is not a boolean`);
  }
  const lamp: Lamp = { on: waiting === undefined ? newCount > 0 : waiting === 'true', newCount, oldCount };
  const version = attr(category, 'version');
  if (version !== undefined && /^\d{1,15}$/.test(version)) lamp.version = Number(version);
  return lamp;
}
