import { CodedError } from '../../../base/coded-error.js';
import { parseXmlTree, type XmlElement } from '../../../base/xml/xml-tree.js';
import { XmlError } from '../../../base/xml/xml-error.js';

/**
 * What a roaming-self XML body parse error is about.
 *
 * - `too-large`: the body is longer than {@link MAX_ROAMING_SELF_XML_BYTES}.
 * - `body`: the value given is neither a string nor a Buffer/Uint8Array.
 * - `not-xml`: not well-formed XML 1.0 (bad UTF-8, a syntax error, no or
 *   several root elements, text after the root, nesting deeper than 32, an
 *   undefined entity or a character reference to a non-XML character).
 * - `doctype`: a document type declaration. No Microsoft body uses one, and
 *   refusing it closes the door on entity expansion (billion laughs) and
 *   external entities.
 * - `namespace`: an unbound prefix or a malformed namespace declaration
 *   (Namespaces in XML 1.0 section 3).
 * - `root`: well-formed, but the root is not the expected element in the
 *   expected namespace (e.g. `roamingList` of
 *   `http://schemas.microsoft.com/2006/09/sip/roaming-self`, [MS-PRES]
 *   section 3.3.5.1).
 * - `value`: an attribute the package reads holds a value out of its type
 *   (e.g. a negative count in an `mwi` element).
 */
export type RoamingSelfXmlErrorCode = 'too-large' | 'body' | 'not-xml' | 'doctype' | 'namespace' | 'root' | 'value';

/**
 * Largest roaming-self XML body accepted, in bytes (64 KiB). A real
 * `roamingList` is ~300 bytes; a full Lync `roamingData` of a user with many
 * publications stays well below this.
 */
export const MAX_ROAMING_SELF_XML_BYTES = 65536;

/**
 * The only error the roaming-self XML readers throw: bad input never throws
 * anything else. The package answers it with 400 (413 for `too-large`,
 * RFC 3261 section 21.4.11).
 */
export class RoamingSelfXmlError extends CodedError<RoamingSelfXmlErrorCode> {
  override readonly name = 'RoamingSelfXmlError';
}

/**
 * Parses a roaming-self body of at most {@link MAX_ROAMING_SELF_XML_BYTES}
 * with the shared namespace-aware reader, its {@link XmlError} retyped so
 * that the package's readers throw {@link RoamingSelfXmlError} only.
 */
export function parseRoamingSelfXml(body: unknown): XmlElement {
  try {
    return parseXmlTree(body, MAX_ROAMING_SELF_XML_BYTES);
  } catch (e) {
    if (e instanceof XmlError) throw new RoamingSelfXmlError(e.code, e.message);
    throw e;
  }
}
