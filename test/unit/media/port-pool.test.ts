import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { parsePortRange, PortPool, PortPoolError } from '../../../src/media/port-pool.js';
import { freePortWith } from '../../support/ports.js';

/** Everything a test opened, closed after it even when it fails half-way (close is idempotent). */
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

function track<T extends { close(): void }>(x: T): T {
  opened.push(x);
  return x;
}

/** An even port E such that E..E+3 are free now: a pool of two RTP/RTCP pairs. */
async function twoPairs(): Promise<number> {
  const p = await freePortWith([1, 2, 3, 4]);
  return p + (p & 1);
}

function bindAt(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(track(s)));
  });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof PortPoolError && e.code === code);
}

describe('RTP port pool', () => {
  test('even RTP ports with RTCP on the next one, round-robin, returned on close', async () => {
    const lo = await twoPairs();
    const pool = new PortPool(lo, lo + 3);
    assert.equal(pool.size, 2);
    const a = track(await pool.open('127.0.0.1'));
    assert.equal(a.port, lo);
    assert.equal(a.rtp.address().port, lo);
    assert.equal(a.rtcp?.address().port, lo + 1);
    a.close();
    a.close();
    const b = track(await pool.open('127.0.0.1', true));
    assert.equal(b.port, lo + 2, 'a freed port is not reused at once');
    assert.equal(b.rtcp, undefined, 'rtcp-mux: one socket');
    const c = track(await pool.open('127.0.0.1'));
    assert.equal(c.port, lo, 'the range wraps around');
    assert.equal(pool.inUseCount, 2);
    await rejectsWith(pool.open('127.0.0.1'), 'exhausted');
    b.close();
    c.close();
    assert.equal(pool.inUseCount, 0);
  });

  test('a port another program holds is skipped (RTP or RTCP); exhaustion is a typed error', async () => {
    const lo = await twoPairs();
    await bindAt(lo + 1); // someone holds the first pair's RTCP port (closed after the test)
    const pool = new PortPool(lo, lo + 3);
    assert.equal(track(await pool.open('127.0.0.1')).port, lo + 2);
    await rejectsWith(pool.open('127.0.0.1'), 'exhausted');
    const muxed = track(await pool.open('127.0.0.1', true)); // with rtcp-mux the odd port does not matter
    assert.equal(muxed.port, lo);
  });

  test('concurrent opens get different ports', async () => {
    const lo = await twoPairs();
    const pool = new PortPool(lo, lo + 3);
    const settled = await Promise.allSettled([pool.open('127.0.0.1'), pool.open('127.0.0.1')]);
    const both = settled.map((r) => (r.status === 'fulfilled' ? track(r.value) : assert.fail(String(r.reason))));
    assert.deepEqual(both.map((p) => p.port).sort(), [lo, lo + 2].sort());
  });

  test('bad addresses and ranges', async () => {
    const pool = new PortPool(40000, 40010);
    await rejectsWith(pool.open('not-an-ip'), 'bind');
    await rejectsWith(pool.open('192.0.2.1'), 'bind'); // not ours: EADDRNOTAVAIL
    assert.deepEqual(parsePortRange('10000-20000'), { lo: 10000, hi: 20000 });
    for (const bad of ['20000-10000', '0-10', '65535-65536', '7-7', '9-10', 'x']) {
      assert.throws(() => parsePortRange(bad), PortPoolError, bad);
    }
    assert.equal(new PortPool(9, 12).first, 10);
  });
});
