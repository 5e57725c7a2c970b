import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { xmlSafe } from '../../../../src/base/xml/xml-escape.js';
import { parseXmlTree, type XmlElement } from '../../../../src/base/xml/xml-tree.js';
import {
  POX_OUTLOOK_RESPONSE_NS,
  POX_RESPONSE_NS,
  poxErrorResponse,
  poxSettingsResponse,
  readPoxRequest,
} from '../../../../src/http/ews/autodiscover-pox.js';

const REQ_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const request = (email: string, schema = POX_OUTLOOK_RESPONSE_NS) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQ_NS}"><Request>` +
  `<EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>${schema}</AcceptableResponseSchema>` +
  '</Request></Autodiscover>';

const path = (el: XmlElement, ...names: string[]): XmlElement | undefined =>
  names.reduce<XmlElement | undefined>((e, n) => e?.children.find((c) => c.local === n), el);

describe('POX Autodiscover request ([MS-OXDSCLI] 2.2.3)', () => {
  test('reads EMailAddress (as Buffer or string, prefixed or not, text trimmed)', () => {
    assert.deepEqual(readPoxRequest(Buffer.from(request(' alice@example.com\n'))), {
      ok: true,
      emailAddress: 'alice@example.com',
      responseSchema: POX_OUTLOOK_RESPONSE_NS,
    });
    const prefixed =
      `<r:Autodiscover xmlns:r="${REQ_NS}"><r:Request><r:EMailAddress>bob&#64;example.com</r:EMailAddress>` +
      '</r:Request></r:Autodiscover>';
    assert.deepEqual(readPoxRequest(prefixed), {
      ok: true,
      emailAddress: 'bob@example.com',
      responseSchema: POX_OUTLOOK_RESPONSE_NS,
    });
  });

  test('bad XML, a DOCTYPE, another document or no address: error 600', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + request('&x;@example.com');
    for (const body of ['<Autodiscover', xxe, '<Autodiscover><Request/></Autodiscover>', request('')]) {
      const r = readPoxRequest(body);
      assert.equal(r.ok, false, body);
      if (!r.ok) assert.equal(r.code, 600);
    }
    const r = readPoxRequest(xxe);
    assert.ok(!r.ok && /document type/.test(r.message));
  });

  test('another response schema (mobilesync): error 601', () => {
    const r = readPoxRequest(
      request('a@b', 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006'),
    );
    assert.ok(!r.ok && r.code === 601);
  });
});

describe('POX Autodiscover response ([MS-OXDSCLI] 2.2.4)', () => {
  test('settings: Account with EXCH and EXPR protocols carrying EwsUrl', () => {
    const xml = poxSettingsResponse({
      emailAddress: 'alice@example.com',
      displayName: 'Alice <A&B>',
      ewsUrl: 'https://um.example.com/EWS/Exchange.asmx',
    });
    const root = parseXmlTree(xml, 1 << 16);
    assert.equal(root.ns, POX_RESPONSE_NS);
    const response = path(root, 'Response')!;
    assert.equal(response.ns, POX_OUTLOOK_RESPONSE_NS);
    assert.equal(path(response, 'User', 'DisplayName')?.text, 'Alice <A&B>');
    const account = path(response, 'Account')!;
    assert.equal(path(account, 'AccountType')?.text, 'email');
    assert.equal(path(account, 'Action')?.text, 'settings');
    const protocols = account.children.filter((c) => c.local === 'Protocol');
    assert.deepEqual(
      protocols.map((p) => [path(p, 'Type')?.text, path(p, 'EwsUrl')?.text]),
      [
        ['EXCH', 'https://um.example.com/EWS/Exchange.asmx'],
        ['EXPR', 'https://um.example.com/EWS/Exchange.asmx'],
      ],
    );
  });

  test('error: Response/Error with ErrorCode, Message, Time', () => {
    const root = parseXmlTree(poxErrorResponse(500, 'not found', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67))), 4096);
    const error = path(root, 'Response', 'Error')!;
    assert.equal(error.ns, POX_RESPONSE_NS);
    assert.equal(error.attrs.get('Time'), '03:04:05.0670000');
    assert.equal(path(error, 'ErrorCode')?.text, '500');
    assert.equal(path(error, 'Message')?.text, 'not found');
  });

  test('any display name and URL come back as written (what XML can carry)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, url) => {
        const root = parseXmlTree(
          poxSettingsResponse({ emailAddress: 'a@b', displayName: name, ewsUrl: url }),
          1 << 20,
        );
        assert.equal(path(root, 'Response', 'User', 'DisplayName')?.text, xmlSafe(name));
        assert.equal(path(root, 'Response', 'Account', 'Protocol', 'EwsUrl')?.text, xmlSafe(url));
      }),
    );
  });
});
