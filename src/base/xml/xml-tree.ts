/**
 * A small namespace-aware XML reader for small protocol bodies (the
 * roaming-self bodies of [MS-PRES], read by the server and by the phone), on
 * top of fast-xml-parser (which checks well-formedness but keeps prefixes as
 * written and resolves no namespaces).
 *
 * The result is a tree of elements named by (namespace URI, local name), as
 * Namespaces in XML 1.0 section 6 defines them, so that
 * `<roamingList xmlns="...">` and `<rs:roamingList xmlns:rs="...">` read
 * the same. Each element keeps its own character data (its text children
 * joined, references decoded), which EWS and Autodiscover requests carry
 * (`<t:IsRead>true</t:IsRead>`, `<EMailAddress>`).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_XML_DEPTH, XmlError } from './xml-error.js';

/** One element, its name resolved (Namespaces in XML 1.0 section 6). */
export interface XmlElement {
  /** Namespace URI; '' when the element is in no namespace. */
  ns: string;
  local: string;
  /**
   * Attribute values, entities and character references decoded, white
   * space normalized (XML 1.0 section 3.3.3). Unprefixed attributes are keyed
   * by local name; prefixed ones by `{namespace-uri}local`. Namespace
   * declarations are not attributes here.
   */
  attrs: Map<string, string>;
  children: XmlElement[];
  /**
   * The element's own character data: its text children joined, entity and
   * character references decoded (XML 1.0 section 4.6), white space as
   * written; '' when it has none. Text inside child elements is theirs.
   */
  text: string;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ATTR_PREFIX = '@_';
const ATTRS_KEY = ':@';
const TEXT_KEY = '#text';
/** CDATA sections arrive under this key (their text is taken as written, section 2.7). */
const CDATA_KEY = '#cdata';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded here (decodeValue), strictly: only XML's five and character references.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  maxNestedTags: MAX_XML_DEPTH,
  cdataPropName: CDATA_KEY,
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function toText(body: unknown, maxBytes: number): string {
  if (typeof body === 'string') {
    if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) {
      throw new XmlError('too-large', `body exceeds ${maxBytes} bytes`);
    }
    return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }
  if (!(body instanceof Uint8Array)) throw new XmlError('body', 'body must be a string or a Buffer');
  if (body.length > maxBytes) {
    throw new XmlError('too-large', `body of ${body.length} bytes exceeds ${maxBytes}`);
  }
  try {
    // TextDecoder drops a leading UTF-8 BOM (ignoreBOM: false).
    return utf8.decode(body);
  } catch {
    throw new XmlError('not-xml', 'body is not valid UTF-8');
  }
}

/** True when `c` is a `Char` of XML 1.0 section 2.2. */
function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes an attribute value as written: the five predefined entities and
 * character references (XML 1.0 sections 4.1 and 4.6); literal TAB, CR and
 * LF become spaces (attribute-value normalization, section 3.3.3). Any other
 * `&` is an error: with no DTD no other entity can be defined.
 */
export function decodeValue(raw: string, normalize = true): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x26 /* & */) {
      const semi = raw.indexOf(';', i + 1);
      if (semi < 0 || semi - i > 12) throw new XmlError('not-xml', 'an `&` that starts no reference');
      const ref = raw.slice(i + 1, semi);
      let text: string | undefined;
      if (ref.charCodeAt(0) === 0x23 /* # */) {
        const hex = ref.charCodeAt(1) === 0x78; /* x */
        const digits = ref.slice(hex ? 2 : 1);
        const ok = digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits);
        const code = ok ? Number.parseInt(digits, hex ? 16 : 10) : -1;
        if (!isXmlChar(code)) throw new XmlError('not-xml', `character reference &${ref}; names no XML character`);
        text = String.fromCodePoint(code);
      } else {
        text = NAMED[ref];
        if (text === undefined) throw new XmlError('not-xml', `undefined entity &${ref.slice(0, 12)};`);
      }
      out += raw.slice(from, i) + text;
      i = semi;
      from = semi + 1;
    } else if (normalize && (c === 0x9 || c === 0xa || c === 0xd)) {
      out += raw.slice(from, i) + ' ';
      from = i + 1;
    } else if (c === 0x3c /* < */) {
      throw new XmlError('not-xml', '`<` in an attribute value');
    }
  }
  return from === 0 ? raw : out + raw.slice(from);
}

type Scope = ReadonlyMap<string, string>;

function nsOf(prefix: string, scope: Scope): string {
  if (prefix === 'xml') return XML_NS;
  const ns = scope.get(prefix);
  if (ns === undefined || (prefix !== '' && ns === '')) {
    throw new XmlError('namespace', `unbound namespace prefix ${JSON.stringify(prefix.slice(0, 40))}`);
  }
  return ns;
}

/** Splits `p:local`; `local` alone has prefix ''. */
function splitName(name: string): [string, string] {
  const colon = name.indexOf(':');
  if (colon < 0) return ['', name];
  if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0) {
    throw new XmlError('namespace', `malformed qualified name ${JSON.stringify(name.slice(0, 40))}`);
  }
  return [name.slice(0, colon), name.slice(colon + 1)];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The tag name of one preserveOrder node, or undefined for text and other non-elements. */
function tagOf(node: Record<string, unknown>): string | undefined {
  for (const k in node) {
    if (k !== ATTRS_KEY && k !== TEXT_KEY && k !== CDATA_KEY && Array.isArray(node[k])) return k;
  }
  return undefined;
}

function convert(node: Record<string, unknown>, tag: string, parentScope: Scope): XmlElement {
  const rawAttrs = node[ATTRS_KEY];
  let scope = parentScope;
  const plain: [string, string][] = [];
  if (isRecord(rawAttrs)) {
    for (const key in rawAttrs) {
      const value = rawAttrs[key];
      if (!key.startsWith(ATTR_PREFIX) || typeof value !== 'string') continue;
      const name = key.slice(ATTR_PREFIX.length);
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        const uri = decodeValue(value);
        const bad = prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NS) || (prefix !== '' && uri === '');
        if (bad || prefix.indexOf(':') >= 0) {
          throw new XmlError('namespace', `malformed namespace declaration ${JSON.stringify(name.slice(0, 40))}`);
        }
        if (scope === parentScope) scope = new Map(parentScope);
        (scope as Map<string, string>).set(prefix, uri);
      } else {
        plain.push([name, value]);
      }
    }
  }
  const [prefix, local] = splitName(tag);
  const el: XmlElement = { ns: nsOf(prefix, scope), local, attrs: new Map(), children: [], text: '' };
  for (const [name, value] of plain) {
    const [p, l] = splitName(name);
    // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 section 6.2).
    el.attrs.set(p === '' ? l : `{${nsOf(p, scope)}}${l}`, decodeValue(value));
  }
  const kids = node[tag];
  if (Array.isArray(kids)) {
    for (const kid of kids) {
      if (!isRecord(kid)) continue;
      const t = tagOf(kid);
      if (t !== undefined) el.children.push(convert(kid, t, scope));
      else if (typeof kid[TEXT_KEY] === 'string') el.text += decodeValue(kid[TEXT_KEY], false);
      else if (Array.isArray(kid[CDATA_KEY])) {
        for (const c of kid[CDATA_KEY] as unknown[])
          if (isRecord(c) && typeof c[TEXT_KEY] === 'string') el.text += c[TEXT_KEY];
      }
    }
  }
  return el;
}

/** The first child element of `e` named (`ns`, `local`), if any. */
export function childElement(e: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return e?.children.find((c) => c.ns === ns && c.local === local);
}

/** Every child element of `e` named (`ns`, `local`), in document order. */
export function childElements(e: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return e ? e.children.filter((c) => c.ns === ns && c.local === local) : [];
}

/** Every element below `e` (at any depth, not `e` itself) named (`ns`, `local`), in document order. */
export function descendantElements(e: XmlElement, ns: string, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of e.children) {
    if (c.ns === ns && c.local === local) out.push(c);
    descendantElements(c, ns, local, out);
  }
  return out;
}

/**
 * Parses a whole XML document of at most `maxBytes` bytes (UTF-8; a leading
 * BOM is dropped) into its root element, names resolved.
 * @throws XmlError (only), see its codes.
 */
export function parseXmlTree(body: unknown, maxBytes: number): XmlElement {
  const text = toText(body, maxBytes);
  if (/<!DOCTYPE/i.test(text)) throw new XmlError('doctype', 'document type declarations are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlError('not-xml', `not well-formed XML (line ${valid.err.line}): ${valid.err.msg.slice(0, 100)}`);
  }
  // The validator lets text after the root element pass.
  if (!text.trimEnd().endsWith('>')) throw new XmlError('not-xml', 'text after the root element');
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    // Too deep, or a name fast-xml-parser refuses (e.g. `__proto__`).
    throw new XmlError('not-xml', `not accepted XML: ${e instanceof Error ? e.message.slice(0, 100) : 'parse error'}`);
  }
  let root: XmlElement | undefined;
  if (Array.isArray(doc)) {
    for (const node of doc) {
      if (!isRecord(node)) continue;
      const tag = tagOf(node);
      if (tag === undefined) continue;
      if (root) throw new XmlError('not-xml', 'more than one root element');
      root = convert(node, tag, new Map([['', '']]));
    }
  }
  if (!root) throw new XmlError('not-xml', 'no root element');
  return root;
}
