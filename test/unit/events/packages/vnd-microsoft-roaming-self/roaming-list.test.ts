import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ROAMING_TYPES,
  formatRoamingList,
  parseRoamingList,
  type RoamingType,
} from '../../../../../src/events/packages/vnd-microsoft-roaming-self/roaming-list.js';
import {
  MAX_ROAMING_SELF_XML_BYTES,
  RoamingSelfXmlError,
  type RoamingSelfXmlErrorCode,
} from '../../../../../src/events/packages/vnd-microsoft-roaming-self/roaming-self-error.js';
import { LYNC_ROAMING_LIST, OC_ROAMING_LIST_WITH_DELEGATES } from './roaming-self-fixtures.js';

const NS = 'http://schemas.microsoft.com/2006/09/sip/roaming-self';

function throwsCode(fn: () => unknown, code: RoamingSelfXmlErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof RoamingSelfXmlError, `expected RoamingSelfXmlError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.name, 'RoamingSelfXmlError');
}

describe('parseRoamingList: what clients send ([MS-PRES] section 4.4.1)', () => {
  test('the Lync list of PROTOCOLS.md section 4, as a Buffer and as a string', () => {
    assert.deepEqual(parseRoamingList(Buffer.from(LYNC_ROAMING_LIST)), ['categories', 'containers', 'subscribers']);
    assert.deepEqual(parseRoamingList(LYNC_ROAMING_LIST), ['categories', 'containers', 'subscribers']);
  });

  test('delegates comes as roamingEx in its own namespace', () => {
    assert.deepEqual(parseRoamingList(OC_ROAMING_LIST_WITH_DELEGATES), [
      'categories',
      'containers',
      'subscribers',
      'delegates',
    ]);
  });

  test('an XML declaration, a BOM, comments and a processing instruction change nothing', () => {
    const withDecl = `\ufeff<?xml version="1.0" encoding="utf-8"?>\n<!-- self -->\n${LYNC_ROAMING_LIST}\n<?pi x?>\n`;
    assert.deepEqual(parseRoamingList(withDecl), ['categories', 'containers', 'subscribers']);
    assert.deepEqual(
      parseRoamingList(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(LYNC_ROAMING_LIST)])),
      ['categories', 'containers', 'subscribers'],
    );
  });

  test('a prefix instead of the default namespace reads the same', () => {
    const body = `<rs:roamingList xmlns:rs="${NS}"><rs:roaming type="categories"/><rs:roaming type='containers'></rs:roaming></rs:roamingList>`;
    assert.deepEqual(parseRoamingList(body), ['categories', 'containers']);
  });

  test('extra attributes, child elements and text are ignored', () => {
    const body =
      `<roamingList xmlns="${NS}" version="2" xmlns:x="urn:x"><x:hint a="1"/>text` +
      `<roaming type="categories" x:extra="y" priority="1"><x:deep/></roaming><other type="containers"/></roamingList>`;
    assert.deepEqual(parseRoamingList(body), ['categories']);
  });

  test('unknown types are ignored, duplicates collapse, white space around a type is trimmed', () => {
    const body =
      `<roamingList xmlns="${NS}"><roaming type="presence"/><roaming type=" categories "/>` +
      `<roaming type="categories"/><roaming type="Categories"/><roaming/><roaming type="subscribers"/></roamingList>`;
    assert.deepEqual(parseRoamingList(body), ['categories', 'subscribers']);
  });

  test('a roaming element in another namespace does not count', () => {
    const body =
      `<roamingList xmlns="${NS}"><roaming xmlns="urn:other" type="categories"/>` +
      `<roamingEx type="containers"/></roamingList>`;
    assert.deepEqual(parseRoamingList(body), []);
  });

  test('an empty list is an empty (valid) scope', () => {
    assert.deepEqual(parseRoamingList(`<roamingList xmlns="${NS}"/>`), []);
  });

  test('entities and character references in the type are decoded', () => {
    assert.deepEqual(
      parseRoamingList(
        `<roamingList xmlns="${NS}"><roaming type="c&#97;tegories"/><roaming type="&#x63;ontainers"/></roamingList>`,
      ),
      ['categories', 'containers'],
    );
  });
});

describe('parseRoamingList: refused bodies (typed errors only)', () => {
  const cases: [string, unknown, RoamingSelfXmlErrorCode][] = [
    ['unclosed tag', `<roamingList xmlns="${NS}"><roaming type="categories"></roamingList>`, 'not-xml'],
    ['plain text', 'categories', 'not-xml'],
    ['empty string', '', 'not-xml'],
    ['two roots', `<roamingList xmlns="${NS}"/><roamingList xmlns="${NS}"/>`, 'not-xml'],
    ['text after the root', `<roamingList xmlns="${NS}"/>trailing`, 'not-xml'],
    ['repeated attribute', `<roamingList xmlns="${NS}"><roaming type="a" type="b"/></roamingList>`, 'not-xml'],
    ['undefined entity', `<roamingList xmlns="${NS}"><roaming type="&nbsp;"/></roamingList>`, 'not-xml'],
    ['bare ampersand', `<roamingList xmlns="${NS}"><roaming type="a & b"/></roamingList>`, 'not-xml'],
    ['reference to a non-character', `<roamingList xmlns="${NS}"><roaming type="&#0;"/></roamingList>`, 'not-xml'],
    ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e]), 'not-xml'],
    ['a reserved JavaScript name as element', `<roamingList xmlns="${NS}"><__proto__/></roamingList>`, 'not-xml'],
    [
      'nesting deeper than 32',
      `<roamingList xmlns="${NS}">${'<a>'.repeat(40)}${'</a>'.repeat(40)}</roamingList>`,
      'not-xml',
    ],
    [
      'DOCTYPE with an entity (billion laughs door)',
      `<!DOCTYPE r [<!ENTITY x "categories">]><roamingList xmlns="${NS}"><roaming type="&x;"/></roamingList>`,
      'doctype',
    ],
    ['unbound prefix', '<rs:roamingList xmlns:x="urn:x"/>', 'namespace'],
    [
      'unbound attribute prefix',
      `<roamingList xmlns="${NS}"><roaming q:type="categories"/></roamingList>`,
      'namespace',
    ],
    ['empty prefixed declaration', `<roamingList xmlns="${NS}" xmlns:p=""/>`, 'namespace'],
    ['wrong root', `<roamingData xmlns="${NS}"/>`, 'root'],
    ['no namespace', '<roamingList><roaming type="categories"/></roamingList>', 'root'],
    [
      'the https namespace some web copies show',
      '<roamingList xmlns="https://schemas.microsoft.com/2006/09/sip/roaming-self"/>',
      'root',
    ],
    ['a number', 42, 'body'],
    ['null', null, 'body'],
    ['one byte over 64 KiB', Buffer.alloc(MAX_ROAMING_SELF_XML_BYTES + 1, 0x20), 'too-large'],
    ['a long string', ' '.repeat(MAX_ROAMING_SELF_XML_BYTES + 1), 'too-large'],
    ['a string whose UTF-8 is over 64 KiB', 'é'.repeat(MAX_ROAMING_SELF_XML_BYTES / 2 + 1), 'too-large'],
  ];
  for (const [name, body, code] of cases) {
    test(`${name}: ${code}`, () => throwsCode(() => parseRoamingList(body), code));
  }

  test('exactly 64 KiB is still read', () => {
    const head = `<roamingList xmlns="${NS}"><roaming type="categories"/></roamingList>`;
    const body = head + ' '.repeat(MAX_ROAMING_SELF_XML_BYTES - head.length);
    assert.deepEqual(parseRoamingList(Buffer.from(body)), ['categories']);
  });

  test('random bytes and random text never throw anything but RoamingSelfXmlError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ maxLength: 300 }),
          fc
            .constantFrom(LYNC_ROAMING_LIST, OC_ROAMING_LIST_WITH_DELEGATES)
            .chain((s) =>
              fc
                .tuple(fc.nat(s.length), fc.nat(s.length), fc.string({ maxLength: 8 }))
                .map(([a, b, ins]) => s.slice(0, Math.min(a, b)) + ins + s.slice(Math.max(a, b))),
            ),
        ),
        (body) => {
          try {
            const types = parseRoamingList(body);
            assert.ok(types.every((t) => (ROAMING_TYPES as readonly string[]).includes(t)));
          } catch (e) {
            assert.ok(e instanceof RoamingSelfXmlError, String(e));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('formatRoamingList', () => {
  test('writes what a Lync client writes', () => {
    assert.equal(
      formatRoamingList(['categories', 'delegates']),
      `<roamingList xmlns="${NS}"><roaming type="categories"/>` +
        '<roamingEx xmlns="http://schemas.microsoft.com/2007/09/sip/roaming-self-ex" type="delegates"/></roamingList>',
    );
  });

  test('round trip: parse(format(types)) = types without duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ROAMING_TYPES), { maxLength: 8 }), (types: RoamingType[]) => {
        assert.deepEqual(parseRoamingList(formatRoamingList(types)), [...new Set(types)]);
      }),
    );
  });
});
