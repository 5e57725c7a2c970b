import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { UserCache } from '../../../src/storage/sqlite/user-cache.js';
import type { UserRecord } from '../../../src/storage/ports.js';

const hex = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const text = fc.option(fc.stringMatching(/^[ -~\u00e9\u4e2d]{0,30}$/), { nil: null });

describe('UserCache (one packed string per user)', () => {
  test('property: every user record comes back equal, as a fresh object', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9._-]{1,20}$/),
        text,
        text,
        fc.boolean(),
        fc.boolean(),
        fc.oneof(hex(32), fc.constant(''), fc.stringMatching(/^[0-9A-F]{32}$/)),
        fc.oneof(hex(64), hex(32)),
        text,
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        text,
        fc.oneof(hex(32), fc.constant(null), fc.stringMatching(/^[0-9A-F]{32}$/), fc.constant('')),
        (name, extension, displayName, mwiEnabled, unsolicitedMwi, md5, sha, pinHash, createdAt, email, ntHash) => {
          const u: UserRecord = {
            name,
            extension,
            displayName,
            mwiEnabled,
            unsolicitedMwi,
            realm: 'example.com',
            ha1: { MD5: md5, 'SHA-256': sha },
            ntHash,
            pinHash,
            email,
            ownPhonePin: createdAt % 2 === 0,
            createdAt,
          };
          const c = new UserCache(10);
          c.set(name, u);
          const back = c.get(name);
          assert.deepEqual(back, u);
          assert.notEqual(back, u);
        },
      ),
    );
  });

  test('a user whose fields hold the separators is not cached (read from the database each time)', () => {
    const c = new UserCache(10);
    const u: UserRecord = {
      name: 'x',
      extension: null,
      displayName: 'a\u0000b',
      mwiEnabled: true,
      unsolicitedMwi: true,
      realm: 'r',
      ha1: { MD5: '0', 'SHA-256': '1' },
      ntHash: null,
      pinHash: null,
      email: null,
      ownPhonePin: true,
      createdAt: 0,
    };
    c.set('x', u);
    assert.equal(c.get('x'), undefined);
    c.set('y', { ...u, name: 'y', displayName: '\u0001' });
    assert.equal(c.get('y'), undefined);
    c.set('z', { ...u, name: 'z', displayName: null, email: 'a\u0000@b' });
    assert.equal(c.get('z'), undefined);
    c.set('w', { ...u, name: 'w', displayName: null, ntHash: '\u0000' });
    assert.equal(c.get('w'), undefined);
  });

  test('null means known absent, undefined not cached; bounded, oldest out first', () => {
    const c = new UserCache(100);
    c.set('ghost', null);
    assert.equal(c.get('ghost'), null);
    assert.equal(c.get('other'), undefined);
    for (let i = 0; i < 500; i++) c.set(`u${i}`, null);
    assert.equal(c.get('u499'), null);
    assert.equal(c.get('u0'), undefined);
    assert.equal(c.get('ghost'), undefined);
  });
});
