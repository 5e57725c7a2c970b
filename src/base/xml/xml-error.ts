import { CodedError } from '../coded-error.js';

/**
 * What an XML body parse error is about.
 *
 * - `too-large`: the body is longer than the byte limit the caller gave.
 * - `body`: the value given is neither a string nor a Buffer/Uint8Array.
 * - `not-xml`: not well-formed XML 1.0 (bad UTF-8, a syntax error, no or
 *   several root elements, text after the root, nesting deeper than
 *   {@link MAX_XML_DEPTH}, an undefined entity or a character reference to a
 *   non-XML character).
 * - `doctype`: a document type declaration. Refusing it closes the door on
 *   entity expansion (billion laughs) and external entities.
 * - `namespace`: an unbound prefix or a malformed namespace declaration
 *   (Namespaces in XML 1.0 section 3).
 */
export type XmlErrorCode = 'too-large' | 'body' | 'not-xml' | 'doctype' | 'namespace';

/** Deepest element nesting accepted. */
export const MAX_XML_DEPTH = 32;

/** The only error {@link parseXmlTree} throws: bad input never throws anything else. */
export class XmlError extends CodedError<XmlErrorCode> {
  override readonly name = 'XmlError';
}
