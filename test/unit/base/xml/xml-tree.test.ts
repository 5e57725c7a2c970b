import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XmlError, type XmlErrorCode } from '../../../../src/base/xml/xml-error.js';
import { parseXmlTree } from '../../../../src/base/xml/xml-tree.js';

function throwsCode(fn: () => unknown, code: XmlErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof XmlError && e.name === 'XmlError' && e.code === code);
}

describe('parseXmlTree (Namespaces in XML 1.0 section 6)', () => {
  test('names resolve to (namespace, local) whatever the prefixes', () => {
    const a = parseXmlTree('<r xmlns="urn:a"><c:k xmlns:c="urn:c" c:x="1" y="&amp;"/></r>', 100);
    assert.deepEqual([a.ns, a.local], ['urn:a', 'r']);
    const k = a.children[0];
    assert.deepEqual([k?.ns, k?.local], ['urn:c', 'k']);
    assert.deepEqual(
      [...(k?.attrs ?? [])],
      [
        ['{urn:c}x', '1'],
        ['y', '&'],
      ],
    );
  });

  test("an element's own text: references decoded, white space kept, children's text is theirs", () => {
    const r = parseXmlTree('<r>a &amp; b&#x41;\n <c>in c</c> tail<![CDATA[<x>]]></r>', 200);
    assert.equal(r.text, 'a & bA\n  tail<x>');
    assert.equal(r.children[0]?.text, 'in c');
    assert.equal(parseXmlTree('<e/>', 10).text, '');
    throwsCode(() => parseXmlTree('<r>&bogus;</r>', 100), 'not-xml');
  });

  test("the byte limit is the caller's", () => {
    assert.equal(parseXmlTree('<r/>', 4).local, 'r');
    throwsCode(() => parseXmlTree('<r/>', 3), 'too-large');
    throwsCode(() => parseXmlTree(Buffer.from('<r/>'), 3), 'too-large');
  });

  test('bad input throws XmlError with its code', () => {
    throwsCode(() => parseXmlTree(42, 100), 'body');
    throwsCode(() => parseXmlTree('<r>', 100), 'not-xml');
    throwsCode(() => parseXmlTree('<!DOCTYPE r><r/>', 100), 'doctype');
    throwsCode(() => parseXmlTree('<p:r/>', 100), 'namespace');
  });
});
