import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseChallenge } from '../../../../src/sip/auth/auth-header.js';
import { RequestAuthenticator, type DigestAccount } from '../../../../src/sip/auth/request-authenticator.js';
import { digestAnswer } from '../../../support/digest-answer.js';
import { parseMessage, type SipRequest, type SipResponse } from '../../../../src/sip/message/index.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** An account as `openum user add` makes it: HA1 values for one realm. */
function account(
  name: string,
  realm: string,
  password: string,
  extension?: string,
): DigestAccount & { extension?: string } {
  const a = `${name}:${realm}:${password}`;
  return { name, realm, ha1: { MD5: md5(a), 'SHA-256': sha(a) }, ...(extension && { extension }) };
}

/** alice was made before the domain changed; bob after; carol has an extension. */
const ACCOUNTS = [
  account('alice', 'localhost', 'secret'),
  account('bob', 'example.com', 'secret'),
  account('carol', 'localhost', 'pw', '1001'),
];

function authenticator(): RequestAuthenticator<DigestAccount> {
  return new RequestAuthenticator({
    defaultRealm: 'example.com',
    secret: Buffer.alloc(32, 7),
    algorithms: ['MD5'],
    byName: (n) => ACCOUNTS.find((a) => a.name === n),
    byAlias: (u) => ACCOUNTS.find((a) => a.name === u || a.extension === u),
  });
}

function register(fromUser: string, authorization?: string): SipRequest {
  const lines = [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    'Max-Forwards: 70',
    `From: <sip:${fromUser}@example.com>;tag=1`,
    `To: <sip:${fromUser}@example.com>`,
    'Call-ID: c1',
    'CSeq: 1 REGISTER',
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest;
}

/** The realm and nonce of a 401's first challenge. */
function challengeOf(out: ReturnType<RequestAuthenticator<DigestAccount>['authenticate']>): {
  realm: string;
  nonce: string;
} {
  assert.ok('response' in out, 'expected a response, got an account');
  const res: SipResponse = out.response;
  assert.equal(res.status, 401);
  const c = parseChallenge(res.getHeaders('WWW-Authenticate')[0] as string);
  return { realm: c.realm, nonce: c.nonce };
}

/** The client's answer (the tests' shared digestAnswer) in `realm` with `nonce`, which may be another realm's on purpose. */
function answer(user: string, realm: string, password: string, nonce: string): string {
  const challenge = `Digest realm="${realm}", nonce="${nonce}", algorithm=MD5, qop="auth"`;
  return digestAnswer(challenge, { method: 'REGISTER', uri: 'sip:example.com', user, password });
}

describe('RequestAuthenticator: each account is challenged in its own realm', () => {
  test('an account made for an older domain is challenged with that realm and gets in', () => {
    const auth = authenticator();
    const { realm, nonce } = challengeOf(auth.authenticate(register('alice')));
    assert.equal(realm, 'localhost');
    const ok = auth.authenticate(register('alice', answer('alice', realm, 'secret', nonce)));
    assert.ok('user' in ok && ok.user.name === 'alice');
  });

  test('an account of the current domain, and a name nobody holds, get the default realm', () => {
    const auth = authenticator();
    assert.equal(challengeOf(auth.authenticate(register('bob'))).realm, 'example.com');
    assert.equal(challengeOf(auth.authenticate(register('nobody'))).realm, 'example.com');
    const { nonce } = challengeOf(auth.authenticate(register('bob')));
    const ok = auth.authenticate(register('bob', answer('bob', 'example.com', 'secret', nonce)));
    assert.ok('user' in ok && ok.user.name === 'bob');
  });

  test("the From user may be an extension: its account's realm is used", () => {
    const auth = authenticator();
    const { realm, nonce } = challengeOf(auth.authenticate(register('1001')));
    assert.equal(realm, 'localhost');
    const ok = auth.authenticate(register('1001', answer('carol', realm, 'pw', nonce)));
    assert.ok('user' in ok && ok.user.name === 'carol');
  });

  test("a wrong password, an unknown name and an answer in another realm than the account's are refused", () => {
    const auth = authenticator();
    const { nonce } = challengeOf(auth.authenticate(register('alice')));
    const wrong = auth.authenticate(register('alice', answer('alice', 'localhost', 'guess', nonce)));
    assert.ok('response' in wrong && wrong.response.status === 403);
    const unknown = auth.authenticate(register('nobody', answer('nobody', 'example.com', 'secret', nonce)));
    assert.ok(
      'response' in unknown && unknown.response.status === 401,
      'a nonce of realm localhost is not valid in example.com',
    );
    const { nonce: n2 } = challengeOf(auth.authenticate(register('nobody')));
    const unknown2 = auth.authenticate(register('nobody', answer('nobody', 'example.com', 'secret', n2)));
    assert.ok('response' in unknown2 && unknown2.response.status === 403);
    // alice answering in the domain's realm: her HA1 is not for it, so the realm is challenged again
    const other = auth.authenticate(register('alice', answer('alice', 'example.com', 'secret', n2)));
    assert.equal(challengeOf(other).realm, 'localhost');
  });
});
