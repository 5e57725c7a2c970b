/**
 * The phone's reading of a Lync roaming-self notification
 * (`application/vnd-microsoft-roaming-self+xml`, [MS-PRES], PROTOCOLS.md
 * section 4): the `mwi` category of the self container, and the
 * `roamingList` body of the phone's SUBSCRIBE.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Lamp } from './lamp.js';

/** Namespace of `roamingList` / `roamingData` (http, not https: PROTOCOLS.md section 4). */
export const ROAMING_SELF_NS = 'http://schemas.microsoft.com/2006/09/sip/roaming-self';

/** Content type of the SUBSCRIBE body and of every notification. */
export const ROAMING_SELF_TYPE = 'application/vnd-microsoft-roaming-self+xml';

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
export class RoamingSelfParseError extends Error {
  override readonly name = 'RoamingSelfParseError';
  readonly code: RoamingSelfParseErrorCode;

  constructor(code: RoamingSelfParseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => name === 'categories' || name === 'category',
});

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nodes(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter(isNode) : isNode(v) ? [v] : [];
}

function attr(n: Node, name: string): string | undefined {
  const v = n[`@_${name}`];
  return typeof v === 'string' ? v.trim() : undefined;
}

function count(n: Node, name: string): number {
  const v = attr(n, name);
  if (v === undefined) return 0;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 0xffffffff) throw new RoamingSelfParseError('mwi', `${name}="${v}" is not a count`);
  return Number(v);
}

/** Self container (1), instance 0 first: that is where the server publishes mwi ([MS-PRES]). */
function rank(c: Node): number {
  return (attr(c, 'container') === '1' ? 0 : 2) + (attr(c, 'instance') === '0' || attr(c, 'instance') === undefined ? 0 : 1);
}

/**
 * Reads the mwi category of a `roamingData` body (in a NOTIFY/BENOTIFY or
 * piggy-backed in the 200 to SUBSCRIBE). Returns undefined when the body
 * carries no mwi state (another category changed, or the category was
 * deleted). new <- `unreadVoiceMailCount`, old <- `readVoiceMailCount`,
 * on <- `messageWaiting` (when absent: new > 0), version <- the
 * category's `version`. Namespace prefixes are ignored.
 *
 * Throws RoamingSelfParseError only.
 */
export function parseRoamingSelfMwi(body: Buffer | string): Lamp | undefined {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_ROAMING_SELF_BYTES) throw new RoamingSelfParseError('too-large', `body of ${size} bytes`);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new RoamingSelfParseError('xml', `not XML: ${valid.err.msg}`);
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    throw new RoamingSelfParseError('xml', `not XML: ${(e as Error).message}`);
  }
  if (!isNode(doc) || !('roamingData' in doc)) throw new RoamingSelfParseError('root', 'no roamingData element');
  const root = doc['roamingData'];
  if (!isNode(root)) return undefined; // <roamingData/>: nothing in it
  const candidates: Node[] = [];
  for (const cats of nodes(root['categories'])) {
    for (const c of nodes(cats['category'])) {
      if (attr(c, 'name') === 'mwi' && isNode(c['mwi'])) candidates.push(c);
    }
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => rank(a) - rank(b));
  const category = candidates[0] as Node;
  const mwi = category['mwi'] as Node;
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
