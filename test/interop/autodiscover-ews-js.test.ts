/**
 * Autodiscover against a real client nobody here wrote: ews-javascript-api
 * 0.15.3 (npm, a dev dependency) asks openum's SOAP endpoint for a user's EWS
 * URLs over plain HTTP on 127.0.0.1; plain `fetch` does a POX round trip.
 * Its default XHR layer (@ewsjs/xhr's XhrApi, on axios) speaks http:// as
 * given, so nothing is configured beyond `Url` and the credentials (Basic,
 * sent pre-emptively by WebCredentials).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AutodiscoverErrorCode,
  AutodiscoverService,
  ExchangeVersion,
  UserSettingName,
  Uri,
  WebCredentials,
} from 'ews-javascript-api';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseXmlTree, type XmlElement } from '../../src/base/xml/xml-tree.js';
import { autodiscoverUnauthorizedHeaders, registerAutodiscoverRoutes } from '../../src/http/ews/autodiscover-routes.js';

const AUTH = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

let app: FastifyInstance;
let base: string;
const ewsUrl = () => `${base}/EWS/Exchange.asmx`;

before(async () => {
  app = Fastify();
  registerAutodiscoverRoutes(app, {
    ewsUrl: (req: FastifyRequest) => `http://${req.headers.host}/EWS/Exchange.asmx`,
    findUser: async (local) => (local === 'alice' ? { name: 'alice', displayName: 'Alice Liddell' } : undefined),
    authenticate: async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.headers.authorization === AUTH) return 'alice';
      await reply
        .code(401)
        .headers({ 'WWW-Authenticate': 'Basic realm="openum"', ...autodiscoverUnauthorizedHeaders() })
        .send();
      return undefined;
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

after(async () => {
  await app.close();
});

function client(user = 'alice', password = 'secret'): AutodiscoverService {
  const svc = new AutodiscoverService(
    new Uri(`${base}/autodiscover/autodiscover.svc`),
    ExchangeVersion.Exchange2010_SP1,
  );
  svc.Credentials = new WebCredentials(user, password);
  svc.EnableScpLookup = false;
  return svc;
}

describe('Autodiscover with ews-javascript-api 0.15.3 (SOAP, GetUserSettings)', () => {
  test("GetUserSettings returns openum's EWS URLs and the display name", async () => {
    const r = await client().GetUserSettings('alice@example.com', [
      UserSettingName.InternalEwsUrl,
      UserSettingName.ExternalEwsUrl,
      UserSettingName.UserDisplayName,
    ]);
    assert.equal(r.ErrorCode, AutodiscoverErrorCode.NoError);
    assert.equal(r.Settings.get(UserSettingName.InternalEwsUrl), ewsUrl());
    assert.equal(r.Settings.get(UserSettingName.ExternalEwsUrl), ewsUrl());
    assert.equal(r.Settings.get(UserSettingName.UserDisplayName), 'Alice Liddell');
    assert.equal(r.UserSettingErrors.length, 0);
  });

  test('a setting openum does not have comes back as a setting error', async () => {
    const r = await client().GetUserSettings('alice@example.com', [
      UserSettingName.ExternalEwsUrl,
      UserSettingName.ActiveDirectoryServer,
    ]);
    assert.equal(r.Settings.get(UserSettingName.ExternalEwsUrl), ewsUrl());
    assert.equal(r.UserSettingErrors.length, 1);
    assert.equal(r.UserSettingErrors[0]!.SettingName, 'ActiveDirectoryServer');
    assert.equal(r.UserSettingErrors[0]!.ErrorCode, AutodiscoverErrorCode.SettingIsNotAvailable);
  });

  test('an unknown user gets InvalidUser', async () => {
    const r = await client().GetUserSettings('nobody@example.com', [UserSettingName.ExternalEwsUrl]);
    assert.equal(r.ErrorCode, AutodiscoverErrorCode.InvalidUser);
    assert.equal(r.Settings.Count, 0);
  });

  test('a wrong password is refused (401)', async () => {
    await assert.rejects(() =>
      client('alice', 'wrong').GetUserSettings('alice@example.com', [UserSettingName.ExternalEwsUrl]),
    );
  });
});

describe('Autodiscover POX with fetch', () => {
  const kid = (el: XmlElement | undefined, local: string) => el?.children.find((c) => c.local === local);
  const pox = (email: string) =>
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>' +
    `<EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>` +
    'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>' +
    '</Request></Autodiscover>';

  test('an unauthenticated probe gets 401 with X-SOAP-Enabled; with credentials the EwsUrl', async () => {
    const url = `${base}/Autodiscover/Autodiscover.xml`;
    const probe = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: pox('alice@example.com'),
    });
    assert.equal(probe.status, 401);
    assert.equal(probe.headers.get('x-soap-enabled'), 'True');
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', authorization: AUTH },
      body: pox('alice@example.com'),
    });
    assert.equal(r.status, 200);
    const account = kid(kid(parseXmlTree(await r.text(), 1 << 16), 'Response'), 'Account');
    const protocols = account!.children.filter((c) => c.local === 'Protocol');
    assert.deepEqual(
      protocols.map((p) => [kid(p, 'Type')?.text, kid(p, 'EwsUrl')?.text]),
      [
        ['EXCH', ewsUrl()],
        ['EXPR', ewsUrl()],
      ],
    );
  });

  test('an unknown address gets the Error response with code 500', async () => {
    const r = await fetch(`${base}/autodiscover/autodiscover.xml`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', authorization: AUTH },
      body: pox('nobody@example.com'),
    });
    const error = kid(kid(parseXmlTree(await r.text(), 4096), 'Response'), 'Error');
    assert.equal(kid(error, 'ErrorCode')?.text, '500');
  });
});
