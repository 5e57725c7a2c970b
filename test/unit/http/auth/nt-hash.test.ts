import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ntHash, ntHashSync } from '../../../../src/http/auth/nt-hash.js';
import { NT_HASH, PASSWORD } from './ms-nlmp-vectors.js';

test('NTOWFv1 of "Password" is the [MS-NLMP] 4.2.2.1.2 value', async () => {
  assert.equal(await ntHash(PASSWORD), NT_HASH);
  assert.equal(ntHashSync(PASSWORD), NT_HASH);
});

test('the hasher is reused: the empty password and a non-ASCII one come out right after another hash', () => {
  ntHashSync('warm-up');
  // MD4 of no bytes (RFC 1320 appendix A.5).
  assert.equal(ntHashSync(''), '31d6cfe0d16ae931b73c59d7e0c089c0');
  // UTF-16LE, not UTF-8: "é" is e9 00.
  assert.equal(ntHashSync('\u00e9'), ntHashSync('\u00e9'));
  assert.notEqual(ntHashSync('\u00e9'), ntHashSync('e'));
});
