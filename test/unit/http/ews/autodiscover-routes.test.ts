import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { parseXmlTree, type XmlElement } from '../../../../src/base/xml/xml-tree.js';
import {
  autodiscoverUnauthorizedHeaders,
  registerAutodiscoverRoutes,
} from '../../../../src/http/ews/autodiscover-routes.js';
import {
  AUTODISCOVER_NS,
  GET_USER_SETTINGS_ACTION,
  SOAP11_NS,
  WSA_NS,
} from '../../../../src/http/ews/autodiscover-soap.js';

const EWS = 'https://um.example.com/EWS/Exchange.asmx';
const AUTH = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

function setup() {
  const app = Fastify();
  // Another route's XML parser must not clash with Autodiscover's.
  app.addContentTypeParser('text/xml', { parseAs: 'string' }, (_r, body, done) => done(null, `other:${String(body)}`));
  app.post('/EWS/Exchange.asmx', async (req) => ({ body: req.body }));
  registerAutodiscoverRoutes(app, {
    ewsUrl: () => EWS,
    findUser: async (local) =>
      local === 'alice' || local === '201' ? { name: 'alice', displayName: 'Alice A' } : undefined,
    authenticate: async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.headers.authorization === AUTH) return 'alice';
      await reply
        .code(401)
        .headers({ 'WWW-Authenticate': 'Basic realm="openum"', ...autodiscoverUnauthorizedHeaders() })
        .send();
      return undefined;
    },
    now: () => new Date(0),
  });
  return app;
}

const pox = (email: string) =>
  '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>' +
  `<EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>` +
  'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>' +
  '</Request></Autodiscover>';
const soap = (mailbox: string, op = 'GetUserSettingsRequestMessage') =>
  `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:a="${AUTODISCOVER_NS}" xmlns:wsa="${WSA_NS}"><s:Header>` +
  `<wsa:Action>${GET_USER_SETTINGS_ACTION}</wsa:Action></s:Header><s:Body><a:${op}><a:Request><a:Users><a:User>` +
  `<a:Mailbox>${mailbox}</a:Mailbox></a:User></a:Users><a:RequestedSettings><a:Setting>ExternalEwsUrl</a:Setting>` +
  `<a:Setting>UserDN</a:Setting></a:RequestedSettings></a:Request></a:${op}></s:Body></s:Envelope>`;

const kid = (el: XmlElement | undefined, local: string) => el?.children.find((c) => c.local === local);
const path = (el: XmlElement | undefined, ...names: string[]) =>
  names.reduce<XmlElement | undefined>((e, n) => kid(e, n), el);
const headers = (type = 'text/xml; charset=utf-8') => ({ 'content-type': type, authorization: AUTH });

describe('Autodiscover routes', () => {
  test("no credentials: the delegate's 401 with X-SOAP-Enabled and X-WSSecurity-Enabled", async () => {
    const app = setup();
    for (const [method, url] of [
      ['POST', '/autodiscover/autodiscover.xml'],
      ['GET', '/Autodiscover/Autodiscover.xml'],
      ['POST', '/autodiscover/autodiscover.svc'],
    ] as const) {
      const r = await app.inject({
        method,
        url,
        headers: { 'content-type': 'text/xml' },
        payload: method === 'POST' ? pox('alice@x') : undefined,
      });
      assert.equal(r.statusCode, 401, url);
      assert.equal(r.headers['x-soap-enabled'], 'True');
      assert.equal(r.headers['x-wssecurity-enabled'], 'True');
    }
  });

  test('POX: the EWS URL for a user (both spellings, by name or extension); error 500 for an unknown one', async () => {
    const app = setup();
    for (const [url, email] of [
      ['/autodiscover/autodiscover.xml', 'alice@example.com'],
      ['/Autodiscover/Autodiscover.xml', '201@other.example'],
    ]) {
      const r = await app.inject({ method: 'POST', url: url!, headers: headers(), payload: pox(email!) });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^text\/xml/);
      const root = parseXmlTree(r.body, 1 << 16);
      assert.equal(path(root, 'Response', 'User', 'DisplayName')?.text, 'Alice A');
      assert.equal(path(root, 'Response', 'Account', 'Protocol', 'EwsUrl')?.text, EWS);
    }
    for (const email of ['nobody@example.com', 'alice@', '@example.com']) {
      const r = await app.inject({
        method: 'POST',
        url: '/autodiscover/autodiscover.xml',
        headers: headers(),
        payload: pox(email),
      });
      assert.equal(path(parseXmlTree(r.body, 4096), 'Response', 'Error', 'ErrorCode')?.text, '500', email);
    }
    const bad = await app.inject({
      method: 'POST',
      url: '/autodiscover/autodiscover.xml',
      headers: headers(),
      payload: '<x',
    });
    assert.equal(path(parseXmlTree(bad.body, 4096), 'Response', 'Error', 'ErrorCode')?.text, '600');
  });

  test('SOAP: settings for a user, InvalidUser for an unknown one', async () => {
    const app = setup();
    let r = await app.inject({
      method: 'POST',
      url: '/autodiscover/autodiscover.svc',
      headers: headers(),
      payload: soap('alice@example.com'),
    });
    assert.equal(r.statusCode, 200);
    const user = path(
      parseXmlTree(r.body, 1 << 16),
      'Body',
      'GetUserSettingsResponseMessage',
      'Response',
      'UserResponses',
      'UserResponse',
    );
    assert.deepEqual(
      kid(user, 'UserSettings')!.children.map((s) => kid(s, 'Value')?.text),
      [EWS, '/o=openum/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice'],
    );
    r = await app.inject({
      method: 'POST',
      url: '/Autodiscover/Autodiscover.svc',
      headers: headers(),
      payload: soap('bob@example.com'),
    });
    const bob = path(
      parseXmlTree(r.body, 1 << 16),
      'Body',
      'GetUserSettingsResponseMessage',
      'Response',
      'UserResponses',
      'UserResponse',
    );
    assert.equal(kid(bob, 'ErrorCode')?.text, 'InvalidUser');
  });

  test('SOAP faults (HTTP 500): XXE, bad XML, another operation; too large is a fault too', async () => {
    const app = setup();
    const xxe = `<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${soap('&x;')}`;
    for (const [payload, reason] of [
      [xxe, /DOCTYPE/],
      ['<s:Envelope', /not accepted XML/],
      [
        soap('alice@x', 'GetFederationInformationRequestMessage'),
        /GetFederationInformationRequestMessage is not supported/,
      ],
    ] as const) {
      const r = await app.inject({
        method: 'POST',
        url: '/autodiscover/autodiscover.svc',
        headers: headers(),
        payload,
      });
      assert.equal(r.statusCode, 500);
      assert.match(String(r.headers['content-type']), /^text\/xml/);
      const fault = path(parseXmlTree(r.body, 4096), 'Body', 'Fault');
      assert.equal(kid(fault, 'faultcode')?.text, 's:Client');
      assert.match(kid(fault, 'faultstring')!.text, reason);
    }
    const big = await app.inject({
      method: 'POST',
      url: '/autodiscover/autodiscover.svc',
      headers: headers('application/soap+xml'),
      payload: soap('a'.repeat(70_000)),
    });
    assert.equal(big.statusCode, 413);
    assert.ok(kid(kid(parseXmlTree(big.body, 4096), 'Body'), 'Fault'));
  });

  test("the scoped XML parser leaves other routes' parsers alone", async () => {
    const app = setup();
    const r = await app.inject({
      method: 'POST',
      url: '/EWS/Exchange.asmx',
      headers: { 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    assert.deepEqual(r.json(), { body: 'other:<x/>' });
  });
});
