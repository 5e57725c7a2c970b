import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseByteRange } from '../../../src/http/byte-range.js';

describe('Range: bytes (RFC 9110 section 14)', () => {
  test('one range: first bytes, open-ended, suffix, clamped to the end', () => {
    const cases: [string | undefined, unknown][] = [
      ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
      ['bytes=0-0', { kind: 'partial', start: 0, end: 0 }],
      ['bytes=900-', { kind: 'partial', start: 900, end: 999 }],
      ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
      ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
      ['bytes=990-5000', { kind: 'partial', start: 990, end: 999 }],
      ['bytes=10-99999999999999999999', { kind: 'partial', start: 10, end: 999 }],
      ['BYTES= 5-6 ', { kind: 'partial', start: 5, end: 6 }],
    ];
    for (const [h, want] of cases) assert.deepEqual(parseByteRange(h, 1000), want, h);
  });

  test('unsatisfiable: a start at or past the end, a zero-length suffix', () => {
    for (const h of ['bytes=1000-', 'bytes=1000-2000', 'bytes=-0', 'bytes=99999999999999999999-']) {
      assert.deepEqual(parseByteRange(h, 1000), { kind: 'unsatisfiable' }, h);
    }
    assert.deepEqual(parseByteRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });

  test('ignored (the whole file): absent, other units, invalid, several ranges', () => {
    for (const h of [
      undefined,
      '',
      'items=0-5',
      'bytes',
      'bytes=',
      'bytes=-',
      'bytes=5-2',
      'bytes=a-b',
      'bytes=1-2-3',
      'bytes=0-1,5-6',
      'bytes=-1, -2',
    ]) {
      assert.deepEqual(parseByteRange(h, 1000), { kind: 'full' }, String(h));
    }
  });

  test('a partial answer always lies inside the file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.option(fc.nat(2e9), { nil: undefined }),
        fc.option(fc.nat(2e9), { nil: undefined }),
        (size, a, b) => {
          const r = parseByteRange(`bytes=${a ?? ''}-${b ?? ''}`, size);
          if (r.kind === 'partial') {
            assert.ok(r.start >= 0 && r.start <= r.end && r.end < size);
            if (a !== undefined) assert.equal(r.start, a);
          }
          if (r.kind === 'unsatisfiable') assert.ok(a === undefined ? b === 0 : a >= size);
        },
      ),
    );
  });
});
