import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DigestClient } from '../../../src/phone/digest-client.js';
import { DigestServer, computeDigestResponse, computeHa1, parseCredentials } from '../../../src/sip/auth/index.js';
import { SipRequest, SipResponse, parseUri } from '../../../src/sip/message/index.js';

const register = (): SipRequest => new SipRequest('REGISTER', parseUri('sip:example.com'));

function challenge(...values: string[]): SipResponse {
  const res = new SipResponse(401, 'Unauthorized');
  for (const v of values) res.addHeader('WWW-Authenticate', v);
  return res;
}

describe('DigestClient (RFC 3261 section 22, RFC 7616, RFC 8760)', () => {
  test("answers what openum's DigestServer checks, SHA-256 and MD5, several requests on one nonce", () => {
    for (const algorithms of [['SHA-256', 'MD5'], ['MD5']] as const) {
      let now = 1000;
      const server = new DigestServer({
        realm: 'example.com',
        secret: Buffer.alloc(32, 1),
        clock: { now: () => now },
        algorithms: [...algorithms],
      });
      const client = new DigestClient('alice', 'secret');
      assert.equal(client.authorize(register()), false, 'nothing before a challenge');
      const learned = client.learn(challenge(...server.challenge()));
      assert.deepEqual(learned, { stale: false, algorithm: algorithms[0] });
      const ha1 = {
        'SHA-256': computeHa1('alice', 'example.com', 'secret', 'SHA-256'),
        MD5: computeHa1('alice', 'example.com', 'secret', 'MD5'),
      };
      for (let i = 0; i < 3; i++) {
        const req = register();
        assert.equal(client.authorize(req), true);
        const result = server.verify({
          method: 'REGISTER',
          authorization: req.getHeaders('Authorization'),
          lookupHa1: (_u, a) => ha1[a],
        });
        assert.deepEqual(result, { ok: true, username: 'alice', algorithm: algorithms[0] });
        assert.equal(parseCredentials(req.getHeader('Authorization')!).nc, `0000000${i + 1}`);
        now += 1000;
      }
    }
  });

  test('the first challenge it can answer wins; stale is reported; a new nonce restarts nc', () => {
    const client = new DigestClient('alice', 'secret');
    assert.equal(
      client.learn(
        challenge(
          'Basic realm="x"',
          'Digest realm="r", nonce="a", algorithm=MD5-sess, qop="auth"',
          'Digest realm="r", nonce="a", qop="auth-int"',
        ),
      ),
      undefined,
    );
    assert.deepEqual(
      client.learn(
        challenge(
          'Digest realm="r", nonce="a", algorithm=SHA-512-256',
          'Digest realm="r", nonce="a", algorithm=md5, qop="auth-int,auth"',
        ),
      ),
      { stale: false, algorithm: 'MD5' },
    );
    client.authorize(register());
    client.authorize(register());
    assert.deepEqual(client.learn(challenge('Digest realm="r", nonce="b", algorithm=MD5, qop="auth", stale=TRUE')), {
      stale: true,
      algorithm: 'MD5',
    });
    const req = register();
    client.authorize(req);
    const c = parseCredentials(req.getHeader('Authorization')!);
    assert.equal(c.nonce, 'b');
    assert.equal(c.nc, '00000001');
  });

  test('RFC 2069 form when no qop is offered; opaque echoed; 407 -> Proxy-Authorization', () => {
    const client = new DigestClient('alice', 'secret');
    const res = new SipResponse(407, 'Proxy Authentication Required');
    res.addHeader('Proxy-Authenticate', 'Digest realm="r", nonce="n", opaque="op"');
    client.learn(res);
    const req = register();
    client.authorize(req);
    assert.equal(req.getHeader('Authorization'), undefined);
    const c = parseCredentials(req.getHeader('Proxy-Authorization')!);
    assert.equal(c.qop, undefined);
    assert.equal(c.algorithm, undefined);
    assert.equal(c.opaque, 'op');
    const ha1 = computeHa1('alice', 'r', 'secret', 'MD5');
    assert.equal(
      c.response,
      computeDigestResponse({ algorithm: 'MD5', ha1, nonce: 'n', method: 'REGISTER', uri: 'sip:example.com' }),
    );
  });
});
