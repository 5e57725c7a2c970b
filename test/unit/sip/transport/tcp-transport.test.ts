import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { TcpTransport } from '../../../../src/sip/transport/tcp-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import type { TransportLimits } from '../../../../src/sip/transport/limits.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { RawClient } from './helpers/raw-client.js';
import { eventually, Recorder, sipRequest } from './helpers/recorder.js';

async function server(limits?: Partial<TransportLimits>, clock?: FakeClock, address = '127.0.0.1') {
  const rec = new Recorder();
  const t = new TcpTransport({ address, port: 0, limits, clock, delegate: rec });
  await t.start();
  return { t, rec };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function ipv6Available(): Promise<boolean> {
  const s = createServer();
  s.on('error', () => {});
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.listen(0, '::1', () => r(true));
  });
  if (ok) await new Promise<void>((r) => s.close(() => r()));
  return ok;
}

describe('TcpTransport (RFC 3261 section 18)', () => {
  test('delivers framed messages with flow id, answers over the flow', async () => {
    const { t: srv, rec } = await server();
    const cliRec = new Recorder();
    const cli = new TcpTransport({ address: '127.0.0.1', delegate: cliRec });
    await cli.start();
    try {
      const dest = { protocol: 'tcp' as const, address: '127.0.0.1', port: srv.local.port };
      assert.ok(srv.local.port > 0);
      await cli.send(dest, Buffer.concat([sipRequest(1, 'body'), sipRequest(2)]));
      await rec.until(() => rec.data.length === 2, 'two messages');
      const first = rec.data[0];
      assert.ok(first !== undefined && first.flowId !== undefined);
      assert.equal(first.data.toString('latin1'), sipRequest(1, 'body').toString('latin1'));
      assert.equal(first.source.address, '127.0.0.1');
      assert.equal(first.source.protocol, 'tcp');
      assert.equal(first.local.port, srv.local.port);
      assert.equal(rec.data[1]?.flowId, first.flowId);
      // Response over the same connection (RFC 3261 section 18.2.2).
      await srv.send(first.source, sipRequest(3), first.flowId);
      await cliRec.until(() => cliRec.data.length === 1, 'response');
      assert.equal(srv.connectionCount, 1);
      assert.equal(cli.connectionCount, 1);
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('reuses connections in both directions and shares one connect', async () => {
    const { t: srv, rec } = await server();
    const cliRec = new Recorder();
    const cli = new TcpTransport({ address: '127.0.0.1', delegate: cliRec });
    await cli.start();
    try {
      const dest = { protocol: 'tcp' as const, address: '127.0.0.1', port: srv.local.port };
      await Promise.all([1, 2, 3, 4, 5].map((n) => cli.send(dest, sipRequest(n))));
      await rec.until(() => rec.data.length === 5, 'five messages');
      assert.equal(new Set(rec.data.map((d) => d.flowId)).size, 1);
      assert.equal(cli.connectionCount, 1);
      // Without a flow id, the server reaches the client over the inbound connection
      // found by its source address:port.
      const src = rec.data[0]?.source;
      assert.ok(src !== undefined);
      await srv.send(src, sipRequest(6));
      await cliRec.until(() => cliRec.data.length === 1, 'reply via reuse');
      assert.equal(srv.connectionCount, 1);
      assert.equal(cli.connectionCount, 1);
      // An unknown flow id (not strict) falls back to reuse as well.
      await srv.send(src, sipRequest(7), 'tcp-unknown-1');
      await cliRec.until(() => cliRec.data.length === 2, 'reply via fallback');
      await assert.rejects(
        srv.send(src, sipRequest(8), 'tcp-unknown-1', { strictFlow: true }),
        (e: unknown) => e instanceof TransportError && e.code === 'flow-failed',
      );
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('answers a CRLFCRLF ping with a CRLF pong (RFC 5626 section 3.5.1)', async () => {
    const { t: srv } = await server();
    const c = await RawClient.tcp(srv.local.port);
    try {
      c.write('\r\n\r\n');
      await c.until(() => c.received.length >= 2, 'pong');
      assert.equal(c.text(), '\r\n');
    } finally {
      c.close();
      await srv.stop();
    }
  });

  test('per-IP cap: connections beyond it are destroyed at once', async () => {
    const { t: srv, rec } = await server({ maxConnectionsPerIp: 2 });
    const a = await RawClient.tcp(srv.local.port);
    const b = await RawClient.tcp(srv.local.port);
    const c = new RawClient((await import('node:net')).connect({ port: srv.local.port, host: '127.0.0.1' }));
    try {
      await c.until(() => c.closed, 'third connection closed');
      assert.ok(rec.warnings.some((w) => w.code === 'per-ip-limit'));
      a.write(sipRequest(1));
      b.write(sipRequest(2));
      await rec.until(() => rec.data.length === 2, 'first two still served');
      assert.equal(a.closed || b.closed, false);
      // Once one closes, a new one is admitted.
      a.close();
      await rec.until(() => rec.closed.length === 1, 'flow closed');
      const d = await RawClient.tcp(srv.local.port);
      d.write(sipRequest(3));
      await rec.until(() => rec.data.length === 3, 'new connection served');
      d.close();
    } finally {
      a.close();
      b.close();
      c.close();
      await srv.stop();
    }
  });

  test('total connection cap', async () => {
    const { t: srv, rec } = await server({ maxConnections: 1 });
    const a = await RawClient.tcp(srv.local.port);
    const b = new RawClient((await import('node:net')).connect({ port: srv.local.port, host: '127.0.0.1' }));
    try {
      await b.until(() => b.closed, 'second connection closed');
      assert.ok(rec.warnings.some((w) => w.code === 'connection-limit'));
      a.write(sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'first served');
    } finally {
      a.close();
      b.close();
      await srv.stop();
    }
  });

  test('idle timeout closes a silent connection; keep-alives reset it', async () => {
    const clock = new FakeClock();
    const { t: srv, rec } = await server({ idleTimeoutMs: 1000 }, clock);
    const c = await RawClient.tcp(srv.local.port);
    try {
      c.write(sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'message');
      const flowId = rec.data[0]?.flowId as string;
      clock.advance(900);
      assert.equal(srv.hasFlow(flowId), true);
      c.write('\r\n\r\n'); // keep-alive ping counts as traffic
      await c.until(() => c.received.length >= 2, 'pong');
      clock.advance(900);
      assert.equal(srv.hasFlow(flowId), true);
      clock.advance(200);
      assert.equal(srv.hasFlow(flowId), false);
      await c.until(() => c.closed, 'client sees close');
      await rec.until(() => rec.closed.includes(flowId), 'onFlowClosed');
      assert.ok(rec.warnings.some((w) => w.code === 'idle-timeout' && w.flowId === flowId));
    } finally {
      c.close();
      await srv.stop();
    }
  });

  test('a message started but not finished in time closes the connection', async () => {
    const clock = new FakeClock();
    const { t: srv, rec } = await server({ partialMessageTimeoutMs: 500 }, clock);
    const c = await RawClient.tcp(srv.local.port);
    const whole = sipRequest(1, 'some body');
    try {
      // Completed in time: fine.
      c.write(whole.subarray(0, 20));
      await eventually(() => clock.pending === 2, 'idle and partial timers armed');
      clock.advance(400);
      c.write(whole.subarray(20));
      await rec.until(() => rec.data.length === 1, 'message');
      const flowId = rec.data[0]?.flowId as string;
      clock.advance(1000);
      assert.equal(srv.hasFlow(flowId), true);
      // Started and stalled: closed.
      c.write(whole.subarray(0, 30));
      await eventually(() => clock.pending === 2, 'partial timer armed again');
      clock.advance(499);
      assert.equal(srv.hasFlow(flowId), true);
      clock.advance(1);
      assert.equal(srv.hasFlow(flowId), false);
      await c.until(() => c.closed, 'closed after partial timeout');
      assert.ok(rec.warnings.some((w) => w.code === 'partial-timeout'));
    } finally {
      c.close();
      await srv.stop();
    }
  });

  test('garbage, oversize or missing Content-Length close that connection only', async () => {
    const { t: srv, rec } = await server({ maxMessageSize: 1000 });
    const good = await RawClient.tcp(srv.local.port);
    const bad = [
      { bytes: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), code: 'garbage' },
      { bytes: Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n', 'latin1'), code: 'missing-content-length' },
      { bytes: sipRequest(9, 'x'.repeat(2000)), code: 'too-large' },
    ];
    try {
      for (const { bytes, code } of bad) {
        const c = await RawClient.tcp(srv.local.port);
        c.write(bytes);
        await c.until(() => c.closed, `close on ${code}`);
        assert.ok(
          rec.warnings.some((w) => w.code === code),
          code,
        );
        good.write(sipRequest(rec.data.length + 1));
        const n = rec.data.length + 1;
        await rec.until(() => rec.data.length === n, 'good client still served');
      }
      assert.equal(good.closed, false);
    } finally {
      good.close();
      await srv.stop();
    }
  });

  test('a peer resetting mid-message is cleaned up; the server keeps serving', async () => {
    const { t: srv, rec } = await server();
    const c = await RawClient.tcp(srv.local.port);
    c.write(sipRequest(1, 'body').subarray(0, 40));
    await eventually(() => srv.connectionCount === 1, 'adopted');
    c.socket.resetAndDestroy();
    await rec.until(() => rec.closed.length === 1, 'flow closed after RST');
    assert.equal(srv.connectionCount, 0);
    const d = await RawClient.tcp(srv.local.port);
    try {
      d.write(sipRequest(2));
      await rec.until(() => rec.data.length === 1, 'next client served');
    } finally {
      d.close();
      await srv.stop();
    }
  });

  test('a throwing delegate does not break the connection', async () => {
    const { t: srv, rec } = await server();
    let calls = 0;
    srv.delegate = {
      onData: (d) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        rec.onData(d);
      },
      onWarning: (w) => rec.onWarning(w),
    };
    const c = await RawClient.tcp(srv.local.port);
    try {
      c.write(sipRequest(1));
      c.write(sipRequest(2));
      await rec.until(() => rec.data.length === 1, 'second message');
      assert.ok(rec.warnings.some((w) => w.code === 'delegate-error'));
    } finally {
      c.close();
      await srv.stop();
    }
  });

  test('connect failures and sends before start reject with TransportError', async () => {
    const cli = new TcpTransport({ address: '127.0.0.1' });
    const dest = { protocol: 'tcp' as const, address: '127.0.0.1', port: await closedPort() };
    await assert.rejects(
      cli.send(dest, sipRequest(1)),
      (e: unknown) => e instanceof TransportError && e.code === 'not-started',
    );
    await cli.start();
    try {
      await assert.rejects(
        cli.send(dest, sipRequest(1)),
        (e: unknown) => e instanceof TransportError && e.code === 'connect-failed',
      );
      assert.equal(cli.connectionCount, 0);
    } finally {
      await cli.stop();
    }
    await assert.rejects(
      cli.send(dest, sipRequest(1)),
      (e: unknown) => e instanceof TransportError && e.code === 'stopped',
    );
  });

  test('bind failure rejects start with bind-failed', async () => {
    const { t: a } = await server();
    const b = new TcpTransport({ address: '127.0.0.1', port: a.local.port });
    try {
      await assert.rejects(b.start(), (e: unknown) => e instanceof TransportError && e.code === 'bind-failed');
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  test('stop closes every connection and reports the flows closed', async () => {
    const { t: srv, rec } = await server();
    const c1 = await RawClient.tcp(srv.local.port);
    const c2 = await RawClient.tcp(srv.local.port);
    c1.write(sipRequest(1));
    c2.write(sipRequest(2));
    await rec.until(() => rec.data.length === 2, 'messages');
    await srv.stop();
    await c1.until(() => c1.closed && c2.closed, 'clients closed');
    await rec.until(() => rec.closed.length === 2, 'flows closed');
    await srv.stop(); // idempotent
  });

  test('IPv6 ::1', async (t) => {
    if (!(await ipv6Available())) {
      t.skip('IPv6 ::1 is not available on this host');
      return;
    }
    const { t: srv, rec } = await server(undefined, undefined, '::1');
    const cliRec = new Recorder();
    const cli = new TcpTransport({ address: '::1', delegate: cliRec });
    await cli.start();
    try {
      await cli.send({ protocol: 'tcp', address: '[::1]', port: srv.local.port }, sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'message over IPv6');
      const d = rec.data[0];
      assert.equal(d?.source.address, '::1');
      assert.equal(d?.local.address, '::1');
      await srv.send(d.source, sipRequest(2));
      await cliRec.until(() => cliRec.data.length === 1, 'reply over IPv6');
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });
});
