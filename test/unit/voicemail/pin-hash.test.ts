import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { hashPin, verifyPin } from '../../../src/voicemail/pin-hash.js';

describe('PIN hashes (scrypt, RFC 7914)', () => {
  test('a hash verifies its PIN only, and two hashes of one PIN differ (salt)', async () => {
    const h = await hashPin('1234');
    assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyPin('1234', h), true);
    assert.equal(await verifyPin('1235', h), false);
    assert.equal(await verifyPin('', h), false);
    assert.notEqual(await hashPin('1234'), h);
  });

  test('the older scrypt$SALT$HASH form (hex) that `user add` wrote still verifies', async () => {
    const salt = randomBytes(16);
    const old = `scrypt$${salt.toString('hex')}$${scryptSync('9876', salt, 32).toString('hex')}`;
    assert.equal(await verifyPin('9876', old), true);
    assert.equal(await verifyPin('9875', old), false);
  });

  test('unreadable or too costly hashes are refused without computing', async () => {
    const good = await hashPin('1234');
    const f = good.split('$');
    const bad = [
      '',
      'bcrypt$x',
      'scrypt$zz$zz',
      [...f.slice(0, 1), '1000', ...f.slice(2)].join('$'),
      [...f.slice(0, 1), String(2 ** 24), ...f.slice(2)].join('$'),
      [...f.slice(0, 2), '0', ...f.slice(3)].join('$'),
      [...f.slice(0, 5), 'AAAA'].join('$'),
      [...f.slice(0, 5), `${f[5]}!`].join('$'),
    ];
    for (const h of bad) assert.equal(await verifyPin('1234', h), false, h);
  });
});
