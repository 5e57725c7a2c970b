/**
 * Writing EWS SOAP answers: the namespaces of [MS-OXWSCDATA] 2.1 (`m` for
 * messages, `t` for types) and a small element writer. Answers are built as
 * strings: they are small, flat and fixed in shape, and every text and
 * attribute value goes through {@link escapeXmlAttr}, which also makes
 * characters XML cannot carry safe.
 */
import { escapeXmlAttr } from '../../base/xml/xml-escape.js';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const M_NS = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const T_NS = 'http://schemas.microsoft.com/exchange/services/2006/types';

/** `<name a="v">children</name>`; attributes with undefined values are left out; no children: `<name/>`. */
export function el(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: string[]
): string {
  let open = `<${name}`;
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) open += ` ${k}="${escapeXmlAttr(String(v))}"`;
  }
  const inner = children.join('');
  return inner === '' ? `${open}/>` : `${open}>${inner}</${name}>`;
}

/** `<name>text</name>`, the text escaped. */
export function textEl(name: string, text: string | number | boolean): string {
  return `<${name}>${escapeXmlAttr(String(text))}</${name}>`;
}
