/**
 * Codec of the `roamingList` body of a self SUBSCRIBE ([MS-PRES] sections
 * 3.3.5.1 and 4.4.1): the roaming types, or scope, an endpoint subscribes to.
 *
 * ```xml
 * <roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">
 *   <roaming type="categories"/>
 *   <roaming type="containers"/>
 *   <roaming type="subscribers"/>
 *   <roamingEx xmlns="http://schemas.microsoft.com/2007/09/sip/roaming-self-ex" type="delegates"/>
 * </roamingList>
 * ```
 */
import { escapeXmlAttr } from '../../../base/xml/xml-escape.js';
import { ROAMING_SELF_EX_NS, ROAMING_SELF_NS } from './namespaces.js';
import { RoamingSelfXmlError, parseRoamingSelfXml } from './roaming-self-error.js';

/** The four roaming types of [MS-PRES] section 3.3.5.1. */
export const ROAMING_TYPES = ['categories', 'containers', 'subscribers', 'delegates'] as const;
export type RoamingType = (typeof ROAMING_TYPES)[number];

/** True for one of {@link ROAMING_TYPES} (case-sensitive, as XML enumerations are). */
export function isRoamingType(s: unknown): s is RoamingType {
  return s === 'categories' || s === 'containers' || s === 'subscribers' || s === 'delegates';
}

/**
 * Reads a `roamingList` body into its roaming types, in order of first
 * appearance, without duplicates.
 *
 * - The root must be `roamingList` in {@link ROAMING_SELF_NS}, with any
 *   prefix; an XML declaration, comments, white space and extra attributes
 *   are fine.
 * - `roaming` (in {@link ROAMING_SELF_NS}) and `roamingEx` (in
 *   {@link ROAMING_SELF_EX_NS}) children name the types. A `type` that is
 *   not one of the four, and any other child element, is ignored, not an
 *   error (forward compatibility: a newer client may ask for more than we
 *   know). A list of no known type is a valid, empty scope.
 *
 * The caller handles the empty body (see the package: on a refresh it keeps
 * the previous list).
 *
 * @throws RoamingSelfXmlError (only): malformed XML, a DOCTYPE, an unbound
 *   prefix, a wrong root element or namespace (`root`), or more than 64 KiB.
 */
export function parseRoamingList(body: unknown): RoamingType[] {
  const root = parseRoamingSelfXml(body);
  if (root.local !== 'roamingList' || root.ns !== ROAMING_SELF_NS) {
    throw new RoamingSelfXmlError(
      'root',
      `expected roamingList in ${ROAMING_SELF_NS}, got ${root.local.slice(0, 40)} in ${JSON.stringify(root.ns.slice(0, 80))}`,
    );
  }
  const types: RoamingType[] = [];
  for (const child of root.children) {
    const known =
      (child.local === 'roaming' && child.ns === ROAMING_SELF_NS) ||
      (child.local === 'roamingEx' && child.ns === ROAMING_SELF_EX_NS);
    if (!known) continue;
    const type = child.attrs.get('type')?.trim();
    if (isRoamingType(type) && !types.includes(type)) types.push(type);
  }
  return types;
}

/**
 * Writes a `roamingList` as a Lync client does ([MS-PRES] section 4.4.1):
 * `delegates` as `roamingEx` in its own namespace, the others as `roaming`.
 */
export function formatRoamingList(types: readonly RoamingType[]): string {
  let s = `<roamingList xmlns="${ROAMING_SELF_NS}">`;
  for (const t of types) {
    s +=
      t === 'delegates'
        ? `<roamingEx xmlns="${ROAMING_SELF_EX_NS}" type="${escapeXmlAttr(t)}"/>`
        : `<roaming type="${escapeXmlAttr(t)}"/>`;
  }
  return s + '</roamingList>';
}
