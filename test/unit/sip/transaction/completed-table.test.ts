import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../../src/base/clock.js';
import { CompletedTable } from '../../../../src/sip/transaction/completed-table.js';

const dest = { address: '192.0.2.7', port: 5070 };
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('CompletedTable', () => {
  test('an entry lives at least the lifetime and at most a quarter more, whenever it was added', () => {
    for (const offset of [0, 1, 3999, 4000, 7999]) {
      const clock = new FakeClock();
      const t = new CompletedTable(clock, 32_000, 4);
      t.add('warm-up', dest, bytes('w')); // arms the generation timer at 0
      clock.advance(offset);
      t.add('k', dest, bytes('v'));
      clock.advance(31_999);
      assert.equal(t.get('k')?.bytes.toString(), 'v', `added at ${offset}: still there at +31.999 s`);
      clock.advance(8001);
      assert.equal(t.get('k'), undefined, `added at ${offset}: gone by +40 s`);
    }
  });

  test('gives back each response and destination exactly, across slabs; the JS heap holds no bytes', () => {
    const clock = new FakeClock();
    const t = new CompletedTable(clock, 32_000);
    const body = (i: number): Buffer =>
      Buffer.from(`SIP/2.0 200 OK\r\nCall-ID: ${i}\r\n${'x'.repeat(i % 1500)}\r\n\r\n\u00ff`, 'latin1');
    for (let i = 0; i < 2000; i++)
      t.add(`key${i}`, { address: i % 2 ? '2001:db8::1' : '198.51.100.9', port: 1024 + i }, body(i));
    assert.ok(t.slabBytes >= 2 * 256 * 1024, 'more than one slab');
    for (const i of [0, 1, 777, 1999]) {
      const hit = t.get(`key${i}`);
      assert.ok(hit);
      assert.deepEqual(hit.dest, { address: i % 2 ? '2001:db8::1' : '198.51.100.9', port: 1024 + i });
      assert.ok(hit.bytes.equals(body(i)));
    }
    assert.equal(t.get('key2000'), undefined);
  });

  test('no timer and no slab is left once empty; clear drops everything', () => {
    const clock = new FakeClock();
    const t = new CompletedTable(clock, 1000, 4);
    t.add('a', dest, bytes('1'));
    t.add('b', dest, bytes('2'));
    assert.equal(t.size, 2);
    clock.advance(1250);
    assert.equal(t.size, 0);
    assert.equal(t.slabBytes, 0);
    assert.equal(clock.pending, 0);
    t.add('c', dest, bytes('3'));
    t.clear();
    assert.equal(t.get('c'), undefined);
    assert.equal(clock.pending, 0);
  });
});
