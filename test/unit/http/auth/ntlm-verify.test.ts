import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ntProofStr, ntowfv2, verifyNtlmv2 } from '../../../../src/http/auth/ntlm-verify.js';
import type { AuthenticateMessage } from '../../../../src/http/auth/ntlm-messages.js';
import { DOMAIN, NTOWFV2, NT_HASH, NT_PROOF_STR, SERVER_CHALLENGE, TEMP, USER } from './ms-nlmp-vectors.js';

const ntHash = Buffer.from(NT_HASH, 'hex');

function message(over: Partial<AuthenticateMessage> = {}): AuthenticateMessage {
  const ntResponse = Buffer.concat([Buffer.from(NT_PROOF_STR, 'hex'), TEMP]);
  return {
    flags: 0xe2888235,
    lmResponse: Buffer.alloc(24),
    ntResponse,
    domain: DOMAIN,
    user: USER,
    workstation: 'COMPUTER',
    ...over,
  };
}

describe('[MS-NLMP] 4.2.4 NTLMv2 vectors', () => {
  test('NTOWFv2("Password", "User", "Domain") (4.2.4.1.1)', () => {
    assert.equal(ntowfv2(ntHash, USER, DOMAIN).toString('hex'), NTOWFV2);
    // Only the user is upper-cased.
    assert.equal(ntowfv2(ntHash, 'uSeR', DOMAIN).toString('hex'), NTOWFV2);
    assert.notEqual(ntowfv2(ntHash, USER, 'DOMAIN').toString('hex'), NTOWFV2);
  });

  test('NTProofStr over ServerChallenge + temp (4.2.4.2.2)', () => {
    assert.equal(TEMP.length, 84 - 16);
    assert.equal(ntProofStr(Buffer.from(NTOWFV2, 'hex'), SERVER_CHALLENGE, TEMP).toString('hex'), NT_PROOF_STR);
  });

  test('the 4.2.4.2.2 NTLMv2 response verifies with the NT hash of "Password"', () => {
    assert.deepEqual(verifyNtlmv2(message(), SERVER_CHALLENGE, NT_HASH), { ok: true });
    assert.deepEqual(verifyNtlmv2(message({ user: 'USER' }), SERVER_CHALLENGE, NT_HASH.toUpperCase()), { ok: true });
  });
});

describe('verifyNtlmv2 refuses', () => {
  test('another password, another challenge, another domain, a flipped bit', () => {
    const other = '8846f7eaee8fb117ad06bdd830b7586c'; // NTOWFv1("password")
    assert.equal(verifyNtlmv2(message(), SERVER_CHALLENGE, other).ok, false);
    assert.equal(verifyNtlmv2(message(), Buffer.from('0123456789abcdee', 'hex'), NT_HASH).ok, false);
    assert.equal(verifyNtlmv2(message({ domain: 'Other' }), SERVER_CHALLENGE, NT_HASH).ok, false);
    const flipped = message();
    flipped.ntResponse = Buffer.from(flipped.ntResponse);
    flipped.ntResponse[40] = (flipped.ntResponse[40] ?? 0) ^ 1;
    assert.equal(verifyNtlmv2(flipped, SERVER_CHALLENGE, NT_HASH).ok, false);
  });

  test('NTLMv1 (24-byte NT response), LM only, anonymous, a short or v1-typed blob, a bad stored hash', () => {
    const reason = (m: AuthenticateMessage, hash = NT_HASH): string => {
      const v = verifyNtlmv2(m, SERVER_CHALLENGE, hash);
      assert.equal(v.ok, false);
      return v.ok ? '' : v.reason;
    };
    assert.match(reason(message({ ntResponse: Buffer.alloc(24) })), /NTLMv1/);
    assert.match(reason(message({ ntResponse: Buffer.alloc(0) })), /LM-only/);
    assert.match(reason(message({ user: '', ntResponse: Buffer.alloc(0) })), /anonymous/);
    assert.match(reason(message({ flags: 0x800 | 1 })), /anonymous/);
    assert.match(reason(message({ ntResponse: Buffer.alloc(43) })), /too short/);
    const v1 = Buffer.concat([Buffer.from(NT_PROOF_STR, 'hex'), TEMP]);
    v1[16] = 2;
    assert.match(reason(message({ ntResponse: v1 })), /NTLMv2/);
    assert.match(reason(message(), 'not-hex'), /NT hash/);
  });
});

test('a client that hashed an empty UserDom while sending a domain is accepted', () => {
  const temp = TEMP;
  const proof = ntProofStr(ntowfv2(ntHash, USER, ''), SERVER_CHALLENGE, temp);
  const m = message({ ntResponse: Buffer.concat([proof, temp]), domain: 'WHATEVER' });
  assert.deepEqual(verifyNtlmv2(m, SERVER_CHALLENGE, NT_HASH), { ok: true });
});
