/**
 * Codec of the `roamingData` body of a roaming-self notification
 * (`application/vnd-microsoft-roaming-self+xml`, [MS-PRES] sections 1.3.1.5
 * and 4.4.3) carrying the one category openum publishes, `mwi`:
 *
 * ```xml
 * <roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"
 *              xmlns:cat="http://schemas.microsoft.com/2006/09/sip/categories">
 *   <categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:alice@example.com">
 *     <category name="mwi" instance="0" publishTime="2010-10-26T07:42:42.387"
 *               container="1" version="32" expireType="static">
 *       <mwi xmlns="http://schemas.microsoft.com/2006/09/sip/mwi"
 *            messageWaiting="true" unreadVoiceMailCount="8" readVoiceMailCount="3"/>
 *     </category>
 *   </categories>
 * </roamingData>
 * ```
 *
 * Formatting is hand-written (one canonical, compact form, no white space
 * between elements); parsing goes through fast-xml-parser ({@link parseRoamingSelfXml})
 * and resolves namespaces, so any prefixing reads the same.
 */
import { escapeXmlAttr } from '../../../base/xml/xml-escape.js';
import type { XmlElement } from '../../../base/xml/xml-tree.js';
import { CATEGORIES_NS, MWI_NS, ROAMING_SELF_NS } from './namespaces.js';
import { RoamingSelfXmlError, parseRoamingSelfXml } from './roaming-self-error.js';

/**
 * Identity of the mwi category instance: name + container + instance
 * ([MS-PRES] section 1.3.1.5). It lives in the self container (1, visible
 * to the owner only), instance 0, and never expires (`static`); only the
 * server publishes it.
 */
export const MWI_CATEGORY = { name: 'mwi', instance: 0, container: 1, expireType: 'static' } as const;

/** Largest `xs:unsignedInt`: the bound of counts and versions. */
export const MAX_UNSIGNED_INT = 0xffffffff;

/** Latest instant `publishTime` can show with a four-digit year (9999-12-31T23:59:59.999). */
const MAX_PUBLISH_TIME = 253_402_300_799_999;

/** The state the mwi category carries. */
export interface MwiCategory {
  /** The publisher, the user's own URI: the `uri` of `categories`, e.g. `sip:alice@example.com`. */
  uri: string;
  /** Goes up by one on every change ([MS-PRES] section 1.3.1.5). */
  version: number;
  /** When the category last changed, epoch milliseconds (written as UTC). */
  publishTime: number;
  messageWaiting: boolean;
  /** New (unheard) voice messages. */
  unreadVoiceMailCount: number;
  /** Old (heard, kept) voice messages. */
  readVoiceMailCount: number;
}

/** What {@link parseRoamingData} found. */
export interface RoamingData {
  /** The `uri` of the `categories` element; absent when there is none. */
  categoriesUri?: string;
  /**
   * The mwi category (container 1 preferred), when the body has one.
   * `empty` is true for a category without an `mwi` value, what a server
   * sends when the publication was deleted ([MS-PRES] section 1.3.1.5): its
   * counts then read 0 and messageWaiting false.
   */
  mwi?: MwiCategory & { instance: number; container: number; expireType: string; empty: boolean };
}

function unsignedInt(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return 0;
  return n >= MAX_UNSIGNED_INT ? MAX_UNSIGNED_INT : Math.trunc(n);
}

/**
 * `publishTime` as Lync writes it: UTC, milliseconds, no zone designator,
 * e.g. `2010-10-26T07:42:42.387`. Out-of-range input is clamped to
 * 1970-01-01T00:00:00.000 .. 9999-12-31T23:59:59.999.
 */
export function formatPublishTime(ms: number): string {
  const t = Number.isFinite(ms) ? Math.min(Math.max(Math.trunc(ms), 0), MAX_PUBLISH_TIME) : 0;
  return new Date(t).toISOString().slice(0, 23);
}

const PUBLISH_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads a `publishTime` (`xs:dateTime`; no zone designator is read as UTC,
 * as Lync means it). Returns epoch milliseconds, or undefined when invalid.
 */
export function parsePublishTime(s: string): number | undefined {
  const m = PUBLISH_TIME.exec(s.trim());
  if (!m) return undefined;
  const frac = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${frac}${m[8] ?? 'Z'}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The mwi category of a mailbox from its aggregate counts: new ->
 * unreadVoiceMailCount, old -> readVoiceMailCount, messageWaiting when
 * there is a new message (the lamp rule of the message-summary package).
 * The category has no urgent or fax counts (PROTOCOLS.md section 4).
 * When `enabled` is false (MWI off for the user) it reads messageWaiting
 * false and counts 0, version and publishTime unchanged.
 */
export function mwiCategoryOf(
  uri: string,
  counts: { new: number; old: number },
  version: number,
  changedAt: number,
  enabled: boolean,
): MwiCategory {
  const unread = enabled ? unsignedInt(counts.new) : 0;
  return {
    uri,
    version: unsignedInt(version),
    publishTime: changedAt,
    messageWaiting: unread > 0,
    unreadVoiceMailCount: unread,
    readVoiceMailCount: enabled ? unsignedInt(counts.old) : 0,
  };
}

const ROAMING_DATA_OPEN = `<roamingData xmlns="${ROAMING_SELF_NS}" xmlns:cat="${CATEGORIES_NS}"`;

/**
 * Writes a full-state `roamingData` ([MS-PRES] section 4.4.3, PROTOCOLS.md
 * section 4). With `mwi` it holds one `categories` element with the mwi
 * category; without (the subscriber's roaming list lacks `categories`) it is
 * an empty `roamingData`. Containers and subscribers are never written: see
 * the package for why. Counts and the version are clamped to
 * `xs:unsignedInt`, the uri is escaped: the output is always well-formed.
 */
export function formatRoamingData(mwi: MwiCategory | undefined): string {
  if (!mwi) return `${ROAMING_DATA_OPEN}/>`;
  const c = MWI_CATEGORY;
  return (
    `${ROAMING_DATA_OPEN}><categories xmlns="${CATEGORIES_NS}" uri="${escapeXmlAttr(mwi.uri)}">` +
    `<category name="${c.name}" instance="${c.instance}" publishTime="${formatPublishTime(mwi.publishTime)}" ` +
    `container="${c.container}" version="${unsignedInt(mwi.version)}" expireType="${c.expireType}">` +
    `<mwi xmlns="${MWI_NS}" messageWaiting="${mwi.messageWaiting ? 'true' : 'false'}" ` +
    `unreadVoiceMailCount="${unsignedInt(mwi.unreadVoiceMailCount)}" readVoiceMailCount="${unsignedInt(mwi.readVoiceMailCount)}"/>` +
    '</category></categories></roamingData>'
  );
}

function readUnsigned(el: XmlElement, name: string, fallback: number): number {
  const v = el.attrs.get(name)?.trim();
  if (v === undefined) return fallback;
  if (!/^\+?\d{1,10}$/.test(v) || Number(v) > MAX_UNSIGNED_INT) {
    throw new RoamingSelfXmlError(
      'value',
      `${el.local}/@${name} is not an unsigned int: ${JSON.stringify(v.slice(0, 20))}`,
    );
  }
  return Number(v);
}

function readBoolean(el: XmlElement, name: string): boolean | undefined {
  const v = el.attrs.get(name)?.trim();
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new RoamingSelfXmlError(
    'value',
    `${el.local}/@${name} is not an xs:boolean: ${JSON.stringify(v.slice(0, 20))}`,
  );
}

function readMwi(category: XmlElement, uri: string): NonNullable<RoamingData['mwi']> {
  const time = category.attrs.get('publishTime');
  const publishTime = time === undefined ? 0 : parsePublishTime(time);
  if (publishTime === undefined) throw new RoamingSelfXmlError('value', 'category/@publishTime is not an xs:dateTime');
  const value = category.children.find((e) => e.local === 'mwi' && e.ns === MWI_NS);
  const unread = value ? readUnsigned(value, 'unreadVoiceMailCount', 0) : 0;
  return {
    uri,
    instance: readUnsigned(category, 'instance', 0),
    container: readUnsigned(category, 'container', 0),
    version: readUnsigned(category, 'version', 0),
    expireType: category.attrs.get('expireType') ?? '',
    publishTime,
    empty: value === undefined,
    messageWaiting: (value ? readBoolean(value, 'messageWaiting') : false) ?? unread > 0,
    unreadVoiceMailCount: unread,
    readVoiceMailCount: value ? readUnsigned(value, 'readVoiceMailCount', 0) : 0,
  };
}

/**
 * Reads a `roamingData` body (what a Lync-style endpoint receives) and picks
 * out the mwi category. Other categories, containers, subscribers and
 * unknown elements are skipped. Missing counts read 0; a missing
 * `messageWaiting` follows the unread count.
 * @throws RoamingSelfXmlError (only): malformed XML, a root other than
 *   `roamingData` in the roaming-self namespace (`root`), or a malformed
 *   number, boolean or time in the mwi category (`value`).
 */
export function parseRoamingData(body: unknown): RoamingData {
  const root = parseRoamingSelfXml(body);
  if (root.local !== 'roamingData' || root.ns !== ROAMING_SELF_NS) {
    throw new RoamingSelfXmlError('root', `expected roamingData in ${ROAMING_SELF_NS}, got ${root.local.slice(0, 40)}`);
  }
  const out: RoamingData = {};
  for (const cats of root.children) {
    if (cats.local !== 'categories' || cats.ns !== CATEGORIES_NS) continue;
    const uri = cats.attrs.get('uri') ?? '';
    if (out.categoriesUri === undefined) out.categoriesUri = uri;
    for (const cat of cats.children) {
      if (cat.local !== 'category' || cat.ns !== CATEGORIES_NS || cat.attrs.get('name') !== MWI_CATEGORY.name) continue;
      const mwi = readMwi(cat, uri);
      if (!out.mwi || (out.mwi.container !== MWI_CATEGORY.container && mwi.container === MWI_CATEGORY.container))
        out.mwi = mwi;
    }
  }
  return out;
}
