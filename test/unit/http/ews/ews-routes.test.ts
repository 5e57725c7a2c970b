/**
 * The EWS route's authentication (fastify inject): Basic over plain HTTP is
 * taken from loopback only, unless allowInsecureBasic; from elsewhere the
 * 401 says why. A GetFolder from loopback answers in SOAP 1.1 with
 * ServerVersionInfo.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { httpUserAuth } from '../../../../src/http/ews/ews-auth.js';
import { registerEwsRoutes } from '../../../../src/http/ews/ews-routes.js';

const GET_FOLDER =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" ' +
  'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body><m:GetFolder>' +
  '<m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>' +
  '<m:FolderIds><t:DistinguishedFolderId Id="voicemail"/></m:FolderIds></m:GetFolder></s:Body></s:Envelope>';

function app(allowInsecureBasic: boolean) {
  const a = Fastify();
  registerEwsRoutes(a, {
    messages: {
      list: async () => [],
      get: async () => undefined,
      setRead: async () => undefined,
      remove: async () => false,
      audioPath: async () => undefined,
    },
    authenticate: httpUserAuth({
      credentials: {
        tokenByHash: () => undefined,
        userHa1: (name) =>
          name === 'ann' ? { realm: 'r', ha1Md5: createHash('md5').update('ann:r:pw').digest('hex') } : undefined,
      },
      allowInsecureBasic,
    }),
  });
  return a;
}

const basic = `Basic ${Buffer.from('ann:pw').toString('base64')}`;

describe('EWS route authentication', () => {
  for (const [remote, allow, status] of [
    ['127.0.0.1', false, 200],
    ['::1', false, 200],
    ['192.0.2.7', false, 401],
    ['192.0.2.7', true, 200],
  ] as const) {
    test(`Basic from ${remote}${allow ? ' with --allow-insecure-basic' : ''}: ${status}`, async () => {
      const r = await app(allow).inject({
        method: 'POST',
        url: '/EWS/Exchange.asmx',
        remoteAddress: remote,
        headers: { authorization: basic, 'content-type': 'text/xml; charset=utf-8' },
        payload: GET_FOLDER,
      });
      assert.equal(r.statusCode, status, r.body);
      if (status === 401) assert.match(r.body, /refused over plain HTTP/);
      else assert.match(r.body, /Version="Exchange2010_SP1".*<t:UnreadCount>0<\/t:UnreadCount>/s);
    });
  }
});
