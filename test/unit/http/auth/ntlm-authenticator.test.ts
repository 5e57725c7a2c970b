import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NtlmAuthenticator, type NtlmOutcome } from '../../../../src/http/auth/ntlm-authenticator.js';
import { ntlmNamesFor } from '../../../../src/http/auth/ntlm-messages.js';
import { ntHashSync } from '../../../../src/http/auth/nt-hash.js';
import {
  authenticateMessage,
  negotiateMessage,
  readChallenge,
  type ClientCredentials,
  type ReadChallenge,
} from './ntlm-test-client.js';

const HASHES = new Map([
  ['alice', ntHashSync('s3cret-pw')],
  ['bob', ntHashSync('hunter22')],
]);
const ALICE: ClientCredentials = { user: 'alice', domain: 'EXAMPLE', ntHash: ntHashSync('s3cret-pw') };

let t = Date.UTC(2026, 11, 3, 12, 0, 0);
let lookups: string[] = [];

function authenticator(): NtlmAuthenticator {
  return new NtlmAuthenticator({
    lookup: async (user) => {
      lookups.push(user);
      return HASHES.get(user.toLowerCase());
    },
    names: ntlmNamesFor('example.com'),
    clock: { now: () => t },
  });
}

const b64 = (b: Buffer): string => b.toString('base64');

/** Type 1 -> Type 2 on `conn`; the decoded challenge. */
async function negotiate(a: NtlmAuthenticator, conn: object, scheme = 'NTLM'): Promise<ReadChallenge> {
  const out = await a.handle(conn, `${scheme} ${b64(negotiateMessage())}`);
  assert.equal(out.kind, 'challenge');
  const header = out.kind === 'challenge' ? out.header : '';
  assert.ok(header.startsWith(`${scheme} `), header);
  return readChallenge(Buffer.from(header.slice(scheme.length + 1), 'base64'));
}

function reasonOf(out: NtlmOutcome): string {
  assert.equal(out.kind, 'fail', JSON.stringify(out));
  return out.kind === 'fail' ? out.reason : '';
}

describe('NtlmAuthenticator round trip (the test is the client)', () => {
  beforeEach(() => {
    t = Date.UTC(2026, 11, 3, 12, 0, 0);
    lookups = [];
  });

  test('no Authorization -> none; Type 1 -> Type 2; Type 3 with the right password -> ok', async () => {
    const a = authenticator();
    const conn = {};
    assert.deepEqual(await a.handle(conn, undefined), { kind: 'none' });
    const ch = await negotiate(a, conn);
    assert.equal(ch.av.get(2)?.toString('utf16le'), 'EXAMPLE');
    const out = await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, ALICE))}`);
    assert.deepEqual(out, { kind: 'ok', user: 'alice', domain: 'EXAMPLE' });
    assert.deepEqual(lookups, ['alice']);
  });

  test('the connection stays authenticated for requests without Authorization; another connection does not', async () => {
    const a = authenticator();
    const conn = {};
    const ch = await negotiate(a, conn);
    await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, ALICE))}`);
    assert.deepEqual(await a.handle(conn, undefined), { kind: 'ok', user: 'alice', domain: 'EXAMPLE' });
    assert.deepEqual(await a.handle({}, undefined), { kind: 'none' });
    assert.deepEqual(await a.handle(conn, 'Basic YWxpY2U6eA=='), { kind: 'none' }, 'another scheme is not ours');
  });

  test('user name in another case, OEM strings, a client hashing an empty domain', async () => {
    const a = authenticator();
    for (const c of [
      { ...ALICE, user: 'ALICE' },
      { ...ALICE, unicode: false },
      { ...ALICE, hashDomain: '' },
      { ...ALICE, domain: '' },
    ]) {
      const conn = {};
      const out = await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), c))}`);
      assert.equal(out.kind, 'ok', JSON.stringify({ c, out }));
    }
  });

  test('a wrong password fails; so does an unknown user, with the same reason', async () => {
    const a = authenticator();
    let conn = {};
    const wrong = { ...ALICE, ntHash: ntHashSync('not-it') };
    const r1 = reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), wrong))}`));
    conn = {};
    const mallory = { ...ALICE, user: 'mallory' };
    const r2 = reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), mallory))}`));
    assert.equal(r1, r2);
    assert.deepEqual(
      await a.handle(conn, undefined),
      { kind: 'none' },
      'a failure leaves the connection unauthenticated',
    );
  });

  test('a Type 3 replayed on a new connection, or again on its own, fails', async () => {
    const a = authenticator();
    const conn = {};
    const type3 = `NTLM ${b64(authenticateMessage(await negotiate(a, conn), ALICE))}`;
    assert.equal((await a.handle(conn, type3)).kind, 'ok');
    const other = {};
    assert.match(reasonOf(await a.handle(other, type3)), /without a challenge/);
    await negotiate(a, other);
    assert.match(reasonOf(await a.handle(other, type3)), /wrong user name or password/, 'another challenge');
    assert.match(reasonOf(await a.handle(conn, type3)), /without a challenge/, 'the challenge is spent');
  });

  test('a challenge serves one Type 3: after a wrong one, or a malformed message, the right one fails', async () => {
    const a = authenticator();
    let conn = {};
    let ch = await negotiate(a, conn);
    const wrong = { ...ALICE, ntHash: ntHashSync('not-it') };
    reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, wrong))}`));
    assert.match(reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, ALICE))}`)), /without a challenge/);
    conn = {};
    ch = await negotiate(a, conn);
    reasonOf(await a.handle(conn, 'NTLM !!!!'));
    assert.match(reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, ALICE))}`)), /without a challenge/);
  });

  test('an unknown user fails even with a response made from an all-zero hash', async () => {
    const a = authenticator();
    const conn = {};
    const ghost = { user: 'ghost', domain: '', ntHash: '0'.repeat(32) };
    reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), ghost))}`));
  });

  test('a Type 3 without a prior challenge fails', async () => {
    const a = authenticator();
    const helper = authenticator();
    const ch = await negotiate(helper, {});
    assert.match(reasonOf(await a.handle({}, `NTLM ${b64(authenticateMessage(ch, ALICE))}`)), /without a challenge/);
  });

  test('a challenge older than a minute has expired', async () => {
    const a = authenticator();
    const conn = {};
    const type3 = `NTLM ${b64(authenticateMessage(await negotiate(a, conn), ALICE))}`;
    t += 60_001;
    assert.match(reasonOf(await a.handle(conn, type3)), /expired/);
  });

  test('NTLMv1 and anonymous are refused before any lookup', async () => {
    const a = authenticator();
    let conn = {};
    const v1 = { ...ALICE, ntResponse: Buffer.alloc(24, 7) };
    assert.match(
      reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), v1))}`)),
      /NTLMv1/,
    );
    conn = {};
    const anon = { ...ALICE, user: '', domain: '', ntResponse: Buffer.alloc(0) };
    assert.match(
      reasonOf(await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), anon))}`)),
      /anonymous/,
    );
    assert.deepEqual(lookups, ['alice']);
  });

  test('Negotiate carrying raw NTLMSSP is answered in Negotiate; SPNEGO is not ours', async () => {
    const a = authenticator();
    const conn = {};
    const ch = await negotiate(a, conn, 'Negotiate');
    assert.equal((await a.handle(conn, `Negotiate ${b64(authenticateMessage(ch, ALICE))}`)).kind, 'ok');
    assert.deepEqual(await a.handle({}, 'Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag'), { kind: 'none' });
  });

  test('truncated and garbage messages fail without throwing', async () => {
    const a = authenticator();
    const type1 = negotiateMessage(undefined, 'EXAMPLE', 'PHONE');
    for (let n = 0; n < type1.length; n++) {
      const out = await a.handle({}, `NTLM ${b64(type1.subarray(0, n))}`);
      assert.notEqual(out.kind, 'ok', `Type 1 cut at ${n}`);
      assert.notEqual(out.kind, 'challenge', `Type 1 cut at ${n}`);
    }
    const conn0 = {};
    const type3 = authenticateMessage(await negotiate(a, conn0), ALICE);
    for (let n = 1; n < type3.length; n++) {
      const conn = {};
      await negotiate(a, conn);
      const out = await a.handle(conn, `NTLM ${b64(type3.subarray(0, n))}`);
      assert.equal(out.kind, 'fail', `Type 3 cut at ${n}`);
    }
    for (const h of ['NTLM', 'NTLM ', 'NTLM !!!!', 'NTLM aGVsbG8=', 'ntlm AAAA', `NTLM ${'A'.repeat(20_000)}`]) {
      assert.equal((await a.handle({}, h)).kind, 'fail', h);
    }
    const two = Buffer.from(type3);
    two.writeUInt32LE(2, 8);
    assert.match(reasonOf(await a.handle({}, `NTLM ${b64(two)}`)), /type 2/);
  });

  test('a new Type 1 on an authenticated connection starts over', async () => {
    const a = authenticator();
    const conn = {};
    await a.handle(conn, `NTLM ${b64(authenticateMessage(await negotiate(a, conn), ALICE))}`);
    const ch = await negotiate(a, conn);
    const bob = { user: 'bob', domain: 'EXAMPLE', ntHash: ntHashSync('hunter22') };
    assert.deepEqual(await a.handle(conn, `NTLM ${b64(authenticateMessage(ch, bob))}`), {
      kind: 'ok',
      user: 'bob',
      domain: 'EXAMPLE',
    });
  });
});
