import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpTransport } from '../../../../src/sip/transport/udp-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import { eventually, Recorder, sipRequest } from './helpers/recorder.js';

async function udp(address = '127.0.0.1', maxMessageSize?: number) {
  const rec = new Recorder();
  const t = new UdpTransport({
    address,
    port: 0,
    delegate: rec,
    limits: maxMessageSize === undefined ? undefined : { maxMessageSize },
  });
  await t.start();
  return { t, rec };
}

async function rawSocket(type: 'udp4' | 'udp6', address: string): Promise<{ s: Socket; got: Buffer[] }> {
  const s = createSocket(type);
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return { s, got };
}

async function ipv6Available(): Promise<boolean> {
  const s = createSocket('udp6');
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.bind(0, '::1', () => r(true));
  });
  s.close();
  return ok;
}

/** CRC-32 as in zlib, written out here to check the STUN FINGERPRINT independently. */
function crc32(b: Buffer): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('UdpTransport (RFC 3261 section 18, RFC 3581)', () => {
  test('exchanges datagrams; source and local endpoints; no flow id', async () => {
    const a = await udp();
    const b = await udp();
    try {
      await a.t.send({ protocol: 'udp', address: '127.0.0.1', port: b.t.local.port }, sipRequest(1, '', 'UDP'));
      await b.rec.until(() => b.rec.data.length === 1, 'datagram');
      const d = b.rec.data[0];
      assert.deepEqual(d?.source, { protocol: 'udp', address: '127.0.0.1', port: a.t.local.port });
      assert.equal(d?.local.port, b.t.local.port);
      assert.equal(d?.flowId, undefined);
      assert.equal(d?.data.toString('latin1'), sipRequest(1, '', 'UDP').toString('latin1'));
    } finally {
      await a.t.stop();
      await b.t.stop();
    }
  });

  test('large datagrams pass; oversize ones are dropped; over 64 KiB is too-large', async () => {
    const a = await udp();
    const b = await udp('127.0.0.1', 50_000);
    try {
      const dest = { protocol: 'udp' as const, address: '127.0.0.1', port: b.t.local.port };
      await a.t.send(dest, sipRequest(1, 'x'.repeat(60_000), 'UDP'));
      await eventually(() => b.rec.warnings.some((w) => w.code === 'too-large'), 'oversize warning');
      const big = sipRequest(2, 'y'.repeat(40_000), 'UDP');
      await a.t.send(dest, big);
      await b.rec.until(() => b.rec.data.length === 1, 'large datagram');
      assert.equal(b.rec.data[0]?.data.length, big.length);
      await assert.rejects(
        a.t.send(dest, Buffer.alloc(70_000, 0x41)),
        (e: unknown) => e instanceof TransportError && e.code === 'too-large',
      );
    } finally {
      await a.t.stop();
      await b.t.stop();
    }
  });

  test('bare CRLF keep-alives are ignored', async () => {
    const b = await udp();
    const { s } = await rawSocket('udp4', '127.0.0.1');
    try {
      for (const k of ['\r\n', '\r\n\r\n', '\n']) s.send(Buffer.from(k), b.t.local.port, '127.0.0.1');
      s.send(sipRequest(1, '', 'UDP'), b.t.local.port, '127.0.0.1');
      await b.rec.until(() => b.rec.data.length === 1, 'message');
      assert.equal(b.rec.data[0]?.data.subarray(0, 7).toString(), 'OPTIONS');
    } finally {
      s.close();
      await b.t.stop();
    }
  });

  test('answers a STUN Binding request with XOR-MAPPED-ADDRESS and FINGERPRINT (RFC 5626 section 8.4)', async () => {
    const b = await udp();
    const { s, got } = await rawSocket('udp4', '127.0.0.1');
    try {
      const req = Buffer.alloc(20);
      req.writeUInt16BE(0x0001, 0);
      req.writeUInt16BE(0, 2);
      req.writeUInt32BE(0x2112a442, 4);
      for (let i = 8; i < 20; i++) req[i] = i * 7;
      s.send(req, b.t.local.port, '127.0.0.1');
      await eventually(() => got.length === 1, 'STUN response');
      const res = got[0] as Buffer;
      assert.equal(res.readUInt16BE(0), 0x0101);
      assert.equal(res.readUInt16BE(2), res.length - 20);
      assert.ok(res.subarray(8, 20).equals(req.subarray(8, 20)), 'transaction id echoed');
      assert.equal(res.readUInt16BE(20), 0x0020);
      const port = res.readUInt16BE(26) ^ 0x2112;
      const ip = [0, 1, 2, 3].map((i) => (res[28 + i] as number) ^ (res[4 + i] as number)).join('.');
      assert.equal(ip, '127.0.0.1');
      assert.equal(port, s.address().port);
      assert.equal(res.readUInt16BE(32), 0x8028);
      assert.equal(res.readUInt32BE(36), (crc32(res.subarray(0, 32)) ^ 0x5354554e) >>> 0);
      assert.equal(b.rec.data.length, 0, 'STUN is not handed to SIP');
    } finally {
      s.close();
      await b.t.stop();
    }
  });

  test('send before start / after stop rejects; stop is idempotent', async () => {
    const t = new UdpTransport({ address: '127.0.0.1' });
    const dest = { protocol: 'udp' as const, address: '127.0.0.1', port: 9 };
    await assert.rejects(
      t.send(dest, Buffer.from('x')),
      (e: unknown) => e instanceof TransportError && e.code === 'not-started',
    );
    await t.start();
    await t.stop();
    await t.stop();
    await assert.rejects(
      t.send(dest, Buffer.from('x')),
      (e: unknown) => e instanceof TransportError && e.code === 'stopped',
    );
  });

  test('bind failure rejects with bind-failed', async () => {
    const a = await udp();
    const b = new UdpTransport({ address: '127.0.0.1', port: a.t.local.port });
    try {
      await assert.rejects(b.start(), (e: unknown) => e instanceof TransportError && e.code === 'bind-failed');
    } finally {
      await b.stop();
      await a.t.stop();
    }
  });

  test('IPv6 ::1', async (t) => {
    if (!(await ipv6Available())) {
      t.skip('IPv6 ::1 is not available on this host');
      return;
    }
    const a = await udp('::1');
    const b = await udp('::1');
    try {
      await a.t.send({ protocol: 'udp', address: '[::1]', port: b.t.local.port }, sipRequest(1, '', 'UDP'));
      await b.rec.until(() => b.rec.data.length === 1, 'IPv6 datagram');
      assert.equal(b.rec.data[0]?.source.address, '::1');
    } finally {
      await a.t.stop();
      await b.t.stop();
    }
  });
});
