import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ROAMING_LIST_BODY, RoamingSelfParseError, parseRoamingSelfMwi } from '../../../src/phone/roaming-self-mwi.js';
import { PROTOCOLS_ROAMING_DATA } from '../events/packages/vnd-microsoft-roaming-self/roaming-self-fixtures.js';

/** The notification of PROTOCOLS.md section 4, as Lync Server sends it. */
const LYNC_SERVER = PROTOCOLS_ROAMING_DATA;

describe('parseRoamingSelfMwi ([MS-PRES] mwi category, PROTOCOLS.md section 4)', () => {
  test('the Lync Server notification', () => {
    assert.deepEqual(parseRoamingSelfMwi(LYNC_SERVER), { on: true, newCount: 8, oldCount: 3, version: 32 });
    assert.deepEqual(parseRoamingSelfMwi(Buffer.from(LYNC_SERVER)), {
      on: true,
      newCount: 8,
      oldCount: 3,
      version: 32,
    });
  });

  test('prefixed namespaces, an XML declaration, other categories around, and the self container first', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><rs:roamingData xmlns:rs="http://schemas.microsoft.com/2006/09/sip/roaming-self" xmlns:c="http://schemas.microsoft.com/2006/09/sip/categories">
      <c:categories uri="sip:alice@example.com">
        <c:category name="state" instance="1" container="2" version="4"><state/></c:category>
        <c:category name="mwi" instance="0" container="400" version="7"><m:mwi xmlns:m="http://schemas.microsoft.com/2006/09/sip/mwi" messageWaiting="false" unreadVoiceMailCount="0" readVoiceMailCount="9"/></c:category>
        <c:category name="mwi" instance="0" container="1" version="12"><m:mwi xmlns:m="http://schemas.microsoft.com/2006/09/sip/mwi" messageWaiting="TRUE" unreadVoiceMailCount="2" readVoiceMailCount="1"/></c:category>
      </c:categories><containers/><subscribers/></rs:roamingData>`;
    assert.deepEqual(parseRoamingSelfMwi(xml), { on: true, newCount: 2, oldCount: 1, version: 12 });
  });

  test('no mwi state: undefined (another category changed, or the category was deleted)', () => {
    assert.equal(
      parseRoamingSelfMwi('<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"/>'),
      undefined,
    );
    assert.equal(
      parseRoamingSelfMwi(
        '<roamingData><categories><category name="mwi" instance="0" container="1" version="3"/></categories></roamingData>',
      ),
      undefined,
    );
  });

  test('messageWaiting absent: on when there are new messages; counts absent: 0; no version: none', () => {
    assert.deepEqual(
      parseRoamingSelfMwi(
        '<roamingData><categories><category name="mwi"><mwi unreadVoiceMailCount="1"/></category></categories></roamingData>',
      ),
      { on: true, newCount: 1, oldCount: 0 },
    );
  });

  test('malformed bodies throw RoamingSelfParseError with a code', () => {
    const cases: [string, string][] = [
      ['<roamingData><categories>', 'xml'],
      ['not xml at all', 'xml'],
      ['<?xml version="1.0"?><presence/>', 'root'],
      ['<presence/>', 'root'],
      ['<!DOCTYPE roamingData><roamingData/>', 'xml'],
      ['<rs:roamingData/>', 'xml'],
      [
        '<roamingData><categories><category name="mwi"><mwi unreadVoiceMailCount="-1"/></category></categories></roamingData>',
        'mwi',
      ],
      [
        '<roamingData><categories><category name="mwi"><mwi unreadVoiceMailCount="99999999999"/></category></categories></roamingData>',
        'mwi',
      ],
      [
        '<roamingData><categories><category name="mwi"><mwi messageWaiting="yes"/></category></categories></roamingData>',
        'mwi',
      ],
      [`<roamingData>${'x'.repeat(70_000)}</roamingData>`, 'too-large'],
    ];
    for (const [body, code] of cases) {
      assert.throws(
        () => parseRoamingSelfMwi(body),
        (e: unknown) => e instanceof RoamingSelfParseError && e.code === code,
        body.slice(0, 60),
      );
    }
  });

  test('the SUBSCRIBE body is the roamingList of PROTOCOLS.md section 4', () => {
    assert.equal(
      ROAMING_LIST_BODY,
      '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">' +
        '<roaming type="categories"/><roaming type="containers"/><roaming type="subscribers"/></roamingList>',
    );
  });

  test('property: any counts and version round-trip; any text gives a lamp, undefined or the typed error', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat({ max: 1e9 }), fc.boolean(), (unread, read, version, waiting) => {
        const xml = `<roamingData><categories><category name="mwi" instance="0" container="1" version="${version}"><mwi messageWaiting="${waiting}" unreadVoiceMailCount="${unread}" readVoiceMailCount="${read}"/></category></categories></roamingData>`;
        assert.deepEqual(parseRoamingSelfMwi(xml), { on: waiting, newCount: unread, oldCount: read, version });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          parseRoamingSelfMwi(
            `<roamingData><categories><category name="mwi">${s}</category></categories></roamingData>`,
          );
          parseRoamingSelfMwi(s);
        } catch (e) {
          assert.ok(e instanceof RoamingSelfParseError, String(e));
        }
      }),
    );
  });
});
