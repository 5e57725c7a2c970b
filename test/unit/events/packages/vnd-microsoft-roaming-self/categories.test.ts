import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import {
  MAX_UNSIGNED_INT,
  formatPublishTime,
  formatRoamingData,
  mwiCategoryOf,
  parsePublishTime,
  parseRoamingData,
  type MwiCategory,
} from '../../../../../src/events/packages/vnd-microsoft-roaming-self/categories.js';
import { RoamingSelfXmlError } from '../../../../../src/events/packages/vnd-microsoft-roaming-self/roaming-self-error.js';
import { escapeXmlAttr, xmlSafe } from '../../../../../src/base/xml/xml-escape.js';
import { PROTOCOLS_ROAMING_DATA } from './roaming-self-fixtures.js';

/** XML modulo white space: none between tags, single spaces inside them. */
function normalize(xml: string): string {
  return xml
    .replace(/>\s+</g, '><')
    .replace(/\s+/g, ' ')
    .replace(/\s*(\/?>)/g, '$1')
    .trim();
}

const T_2010 = Date.UTC(2010, 9, 26, 7, 42, 42, 387);

describe('formatRoamingData: the shape of PROTOCOLS.md section 4', () => {
  test('8 new / 3 old, version 32, publishTime 2010-10-26T07:42:42.387: the example, modulo white space', () => {
    const mwi = mwiCategoryOf('sip:alice@example.com', { new: 8, old: 3 }, 32, T_2010, true);
    const xml = formatRoamingData(mwi);
    assert.equal(xml, normalize(PROTOCOLS_ROAMING_DATA));
    // The exact bytes, so that a change to the shape is a conscious one.
    assert.equal(
      xml,
      '<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self" ' +
        'xmlns:cat="http://schemas.microsoft.com/2006/09/sip/categories">' +
        '<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:alice@example.com">' +
        '<category name="mwi" instance="0" publishTime="2010-10-26T07:42:42.387" container="1" version="32" expireType="static">' +
        '<mwi xmlns="http://schemas.microsoft.com/2006/09/sip/mwi" messageWaiting="true" unreadVoiceMailCount="8" readVoiceMailCount="3"/>' +
        '</category></categories></roamingData>',
    );
    assert.ok(!xml.includes('https:'), 'http namespaces only');
  });

  test('no new message: messageWaiting="false" with the old count kept', () => {
    const xml = formatRoamingData(mwiCategoryOf('sip:bob@example.com', { new: 0, old: 5 }, 7, T_2010, true));
    assert.match(xml, /messageWaiting="false" unreadVoiceMailCount="0" readVoiceMailCount="5"/);
    assert.match(xml, /version="7"/);
  });

  test('MWI off: messageWaiting false and both counts 0; version and publishTime still written', () => {
    const xml = formatRoamingData(mwiCategoryOf('sip:carol@example.com', { new: 4, old: 2 }, 9, T_2010, false));
    assert.match(xml, /publishTime="2010-10-26T07:42:42.387" container="1" version="9"/);
    assert.match(xml, /messageWaiting="false" unreadVoiceMailCount="0" readVoiceMailCount="0"/);
  });

  test('without the mwi category: an empty roamingData', () => {
    assert.equal(
      formatRoamingData(undefined),
      '<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self" ' +
        'xmlns:cat="http://schemas.microsoft.com/2006/09/sip/categories"/>',
    );
  });

  test('the uri is escaped; counts and version are clamped to xs:unsignedInt', () => {
    const mwi: MwiCategory = {
      uri: 'sip:"o\'neil"&<x>@example.com\t\u0001',
      version: -3,
      publishTime: Number.NaN,
      messageWaiting: true,
      unreadVoiceMailCount: 2 ** 40,
      readVoiceMailCount: 1.9,
    };
    const xml = formatRoamingData(mwi);
    assert.match(xml, /uri="sip:&quot;o&apos;neil&quot;&amp;&lt;x&gt;@example.com&#9;\ufffd"/);
    assert.match(xml, new RegExp(`version="0" .*unreadVoiceMailCount="${MAX_UNSIGNED_INT}" readVoiceMailCount="1"`));
    assert.match(xml, /publishTime="1970-01-01T00:00:00.000"/);
    assert.equal(XMLValidator.validate(xml), true);
  });
});

describe('publishTime', () => {
  test('UTC with milliseconds and no zone designator, as Lync writes it', () => {
    assert.equal(formatPublishTime(T_2010), '2010-10-26T07:42:42.387');
    assert.equal(formatPublishTime(0), '1970-01-01T00:00:00.000');
    assert.equal(formatPublishTime(-5), '1970-01-01T00:00:00.000');
    assert.equal(formatPublishTime(1e20), '9999-12-31T23:59:59.999');
  });

  test('parse: no zone = UTC; Z, offsets and 0-7 fraction digits; garbage is undefined', () => {
    assert.equal(parsePublishTime('2010-10-26T07:42:42.387'), T_2010);
    assert.equal(parsePublishTime('2010-10-26T07:42:42.387Z'), T_2010);
    assert.equal(parsePublishTime('2010-10-26T09:42:42.3870000+02:00'), T_2010);
    assert.equal(parsePublishTime('2010-10-26T07:42:42'), T_2010 - 387);
    assert.equal(parsePublishTime('2010-13-26T07:42:42'), undefined);
    assert.equal(parsePublishTime('yesterday'), undefined);
  });
});

describe('parseRoamingData', () => {
  test('reads the PROTOCOLS.md example', () => {
    assert.deepEqual(parseRoamingData(PROTOCOLS_ROAMING_DATA), {
      categoriesUri: 'sip:alice@example.com',
      mwi: {
        uri: 'sip:alice@example.com',
        instance: 0,
        container: 1,
        version: 32,
        expireType: 'static',
        publishTime: T_2010,
        empty: false,
        messageWaiting: true,
        unreadVoiceMailCount: 8,
        readVoiceMailCount: 3,
      },
    });
  });

  test('skips other categories, containers and subscribers; prefers the self container', () => {
    const body =
      '<r:roamingData xmlns:r="http://schemas.microsoft.com/2006/09/sip/roaming-self">' +
      '<c:categories xmlns:c="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:a@b">' +
      '<c:category name="state" instance="1" container="2" version="1"><state xmlns="urn:s"/></c:category>' +
      '<c:category name="mwi" instance="0" container="3" version="4"><m:mwi xmlns:m="http://schemas.microsoft.com/2006/09/sip/mwi" unreadVoiceMailCount="1"/></c:category>' +
      '<c:category name="mwi" instance="0" container="1" version="5"><m:mwi xmlns:m="http://schemas.microsoft.com/2006/09/sip/mwi" messageWaiting="0" unreadVoiceMailCount="2"/></c:category>' +
      '</c:categories><containers xmlns="http://schemas.microsoft.com/2006/09/sip/container-management"><container id="100"/></containers>' +
      '<subscribers xmlns="http://schemas.microsoft.com/2006/09/sip/presence-subscribers"/></r:roamingData>';
    const d = parseRoamingData(body);
    assert.equal(d.mwi?.container, 1);
    assert.equal(d.mwi?.version, 5);
    assert.equal(d.mwi?.messageWaiting, false);
    assert.equal(d.mwi?.unreadVoiceMailCount, 2);
    assert.equal(d.mwi?.publishTime, 0);
  });

  test('an mwi category without its value is a deleted publication: empty, counts 0', () => {
    const d = parseRoamingData(
      '<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">' +
        '<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:a@b">' +
        '<category name="mwi" instance="0" container="1" version="6"/></categories></roamingData>',
    );
    assert.equal(d.mwi?.empty, true);
    assert.equal(d.mwi?.messageWaiting, false);
    assert.equal(d.mwi?.unreadVoiceMailCount, 0);
  });

  test('no categories: nothing', () => {
    assert.deepEqual(parseRoamingData(formatRoamingData(undefined)), {});
  });

  test('wrong root, bad numbers, booleans and times: typed errors', () => {
    const wrap = (mwiAttrs: string, catAttrs = ''): string =>
      '<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">' +
      `<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:a@b"><category name="mwi" ${catAttrs}>` +
      `<mwi xmlns="http://schemas.microsoft.com/2006/09/sip/mwi" ${mwiAttrs}/></category></categories></roamingData>`;
    const codes: [string, string][] = [
      ['<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"/>', 'root'],
      [wrap('unreadVoiceMailCount="-1"'), 'value'],
      [wrap('unreadVoiceMailCount="4294967296"'), 'value'],
      [wrap('readVoiceMailCount="3.5"'), 'value'],
      [wrap('messageWaiting="yes"'), 'value'],
      [wrap('', 'publishTime="soon"'), 'value'],
      [wrap('', 'version="x"'), 'value'],
      ['<roamingData', 'not-xml'],
    ];
    for (const [body, code] of codes) {
      assert.throws(
        () => parseRoamingData(body),
        (e: unknown) => e instanceof RoamingSelfXmlError && e.code === code,
        body,
      );
    }
  });
});

/** Any UTF-16 string: lone surrogates, controls, markup characters and all. */
const anyString = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ';', '&#10;', ']]>'),
  ),
  maxLength: 40,
});

describe('round trip through fast-xml-parser', () => {
  test('parseRoamingData(formatRoamingData(m)) gives m back (uri modulo characters XML cannot carry)', () => {
    fc.assert(
      fc.property(
        anyString,
        fc.nat({ max: MAX_UNSIGNED_INT }),
        fc.nat({ max: MAX_UNSIGNED_INT }),
        fc.nat({ max: MAX_UNSIGNED_INT }),
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        fc.boolean(),
        (uri, unread, read, version, publishTime, enabled) => {
          const mwi = mwiCategoryOf(uri, { new: unread, old: read }, version, publishTime, enabled);
          const xml = formatRoamingData(mwi);
          assert.equal(XMLValidator.validate(xml), true);
          const back = parseRoamingData(Buffer.from(xml));
          assert.equal(back.categoriesUri, xmlSafe(uri));
          assert.deepEqual(back.mwi, {
            ...mwi,
            uri: xmlSafe(uri),
            instance: 0,
            container: 1,
            expireType: 'static',
            empty: false,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('escapeXmlAttr leaves clean strings alone (same object) and is idempotent in meaning', () => {
    const clean = 'sip:alice@example.com';
    assert.equal(escapeXmlAttr(clean), clean);
    assert.equal(escapeXmlAttr('a\ud83d\ude00b'), 'a\ud83d\ude00b');
    assert.equal(escapeXmlAttr('a\ud83db\ude00'), 'a\ufffdb\ufffd');
    assert.equal(escapeXmlAttr('\ufffe\uffff\u0000'), '\ufffd\ufffd\ufffd');
  });
});
