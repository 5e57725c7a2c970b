import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXmlTree, type XmlElement } from '../../../../src/base/xml/xml-tree.js';
import {
  AUTODISCOVER_NS,
  AutodiscoverFault,
  GET_USER_SETTINGS_ACTION,
  GET_USER_SETTINGS_RESPONSE_ACTION,
  getUserSettingsErrorResponse,
  getUserSettingsResponse,
  readGetUserSettings,
  SOAP11_NS,
  SOAP12_NS,
  soapFault,
  WSA_NS,
} from '../../../../src/http/ews/autodiscover-soap.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The shape ews-javascript-api 0.15.3 sends (SOAP 1.1, `a:` the Autodiscover namespace, `wsa:` WS-Addressing). */
function request(opts: { env?: string; action?: string; op?: string; users?: string[]; settings?: string[] } = {}) {
  const users = (opts.users ?? ['alice@example.com']).map((u) => `<a:User><a:Mailbox>${u}</a:Mailbox></a:User>`);
  const settings = (opts.settings ?? ['InternalEwsUrl']).map((s) => `<a:Setting>${s}</a:Setting>`);
  const op = opts.op ?? 'GetUserSettingsRequestMessage';
  return (
    `<soap:Envelope xmlns:soap="${opts.env ?? SOAP11_NS}" xmlns:a="${AUTODISCOVER_NS}" xmlns:wsa="${WSA_NS}" ` +
    `xmlns:xsi="${XSI}"><soap:Header><a:RequestedServerVersion>Exchange2010_SP1</a:RequestedServerVersion>` +
    `<wsa:Action>${opts.action ?? GET_USER_SETTINGS_ACTION}</wsa:Action>` +
    '<wsa:To>http://127.0.0.1/autodiscover/autodiscover.svc</wsa:To></soap:Header>' +
    `<soap:Body><a:${op} xmlns:a="${AUTODISCOVER_NS}"><a:Request><a:Users>${users.join('')}</a:Users>` +
    `<a:RequestedSettings>${settings.join('')}</a:RequestedSettings></a:Request></a:${op}></soap:Body>` +
    '</soap:Envelope>'
  );
}

const kid = (el: XmlElement | undefined, local: string) => el?.children.find((c) => c.local === local);
const path = (el: XmlElement | undefined, ...names: string[]) =>
  names.reduce<XmlElement | undefined>((e, n) => kid(e, n), el);

function faultOf(fn: () => unknown): AutodiscoverFault {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AutodiscoverFault, String(e));
    return e;
  }
  assert.fail('no fault');
}

describe('GetUserSettings request ([MS-OXWSADISC])', () => {
  test('reads mailboxes, settings and the version header, SOAP 1.1 and 1.2', () => {
    const r = readGetUserSettings(
      Buffer.from(request({ users: ['alice@example.com', ' bob@x '], settings: ['UserDisplayName', 'X', 'X'] })),
      'text/xml',
    );
    assert.deepEqual(r, {
      soap: '1.1',
      mailboxes: ['alice@example.com', 'bob@x'],
      settings: ['UserDisplayName', 'X'],
      requestedServerVersion: 'Exchange2010_SP1',
    });
    assert.equal(readGetUserSettings(request({ env: SOAP12_NS }), 'application/soap+xml').soap, '1.2');
  });

  test('faults: bad XML, DOCTYPE, not an envelope, another operation or action, nothing asked', () => {
    const xxe = `<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${request({ users: ['&x;'] })}`;
    assert.match(faultOf(() => readGetUserSettings(xxe, 'text/xml')).message, /DOCTYPE/);
    const bad = faultOf(() => readGetUserSettings('<soap:Envelope', 'application/soap+xml; charset=utf-8'));
    assert.equal(bad.soap, '1.2');
    assert.equal(bad.sender, true);
    assert.match(faultOf(() => readGetUserSettings('<Envelope/>', undefined)).message, /not a SOAP/);
    const other = faultOf(() => readGetUserSettings(request({ op: 'GetDomainSettingsRequestMessage' }), 'text/xml'));
    assert.match(other.message, /GetDomainSettingsRequestMessage is not supported/);
    const action = faultOf(() => readGetUserSettings(request({ action: 'urn:other' }), 'text/xml'));
    assert.match(action.message, /Action urn:other/);
    assert.match(faultOf(() => readGetUserSettings(request({ users: [] }), '')).message, /no Users/);
    assert.match(faultOf(() => readGetUserSettings(request({ settings: [] }), '')).message, /no RequestedSettings/);
  });

  test('a fault is a SOAP Fault of the right version', () => {
    const f11 = parseXmlTree(soapFault(new AutodiscoverFault('1.1', true, 'why <here>')), 4096);
    assert.equal(f11.ns, SOAP11_NS);
    const fault = path(f11, 'Body', 'Fault');
    assert.equal(kid(fault, 'faultcode')?.text, 's:Client');
    assert.equal(kid(fault, 'faultstring')?.text, 'why <here>');
    const f12 = parseXmlTree(soapFault(new AutodiscoverFault('1.2', false, 'oops')), 4096);
    assert.equal(f12.ns, SOAP12_NS);
    assert.equal(path(f12, 'Body', 'Fault', 'Code', 'Value')?.text, 's:Receiver');
    assert.equal(path(f12, 'Body', 'Fault', 'Reason', 'Text')?.text, 'oops');
  });
});

describe('GetUserSettings response ([MS-OXWSADISC])', () => {
  const values = new Map([
    ['InternalEwsUrl', 'https://um/EWS/Exchange.asmx'],
    ['UserDisplayName', 'Alice & co'],
  ]);

  test('known settings as StringSetting, unknown as SettingIsNotAvailable, unknown users InvalidUser', () => {
    const xml = getUserSettingsResponse(
      '1.1',
      ['InternalEwsUrl', 'UserDisplayName', 'ActiveDirectoryServer'],
      [
        { kind: 'user', values },
        { kind: 'invalid-user', mailbox: 'nobody@example.com' },
      ],
    );
    const env = parseXmlTree(xml, 1 << 16);
    assert.equal(env.ns, SOAP11_NS);
    const action = path(env, 'Header', 'Action')!;
    assert.equal(action.ns, WSA_NS);
    assert.equal(action.text, GET_USER_SETTINGS_RESPONSE_ACTION);
    assert.equal(path(env, 'Header', 'ServerVersionInfo', 'MajorVersion')?.text, '14');
    const response = path(env, 'Body', 'GetUserSettingsResponseMessage', 'Response')!;
    assert.equal(response.ns, AUTODISCOVER_NS);
    assert.equal(kid(response, 'ErrorCode')?.text, 'NoError');
    const [alice, nobody] = kid(response, 'UserResponses')!.children;
    assert.equal(kid(alice, 'ErrorCode')?.text, 'NoError');
    const settings = kid(alice, 'UserSettings')!.children;
    assert.deepEqual(
      settings.map((s) => [s.attrs.get(`{${XSI}}type`), kid(s, 'Name')?.text, kid(s, 'Value')?.text]),
      [
        ['StringSetting', 'InternalEwsUrl', 'https://um/EWS/Exchange.asmx'],
        ['StringSetting', 'UserDisplayName', 'Alice & co'],
      ],
    );
    const errors = kid(alice, 'UserSettingErrors')!.children;
    assert.deepEqual(
      errors.map((e) => [kid(e, 'ErrorCode')?.text, kid(e, 'SettingName')?.text]),
      [['SettingIsNotAvailable', 'ActiveDirectoryServer']],
    );
    assert.equal(kid(nobody, 'ErrorCode')?.text, 'InvalidUser');
    assert.match(kid(nobody, 'ErrorMessage')!.text, /nobody@example.com/);
  });

  test('SOAP 1.2 answers in a 1.2 envelope; a refused request carries its ErrorCode', () => {
    const env = parseXmlTree(getUserSettingsErrorResponse('1.2', 'InvalidRequest', 'too many'), 4096);
    assert.equal(env.ns, SOAP12_NS);
    const response = path(env, 'Body', 'GetUserSettingsResponseMessage', 'Response');
    assert.equal(kid(response, 'ErrorCode')?.text, 'InvalidRequest');
    assert.equal(kid(response, 'ErrorMessage')?.text, 'too many');
  });
});
