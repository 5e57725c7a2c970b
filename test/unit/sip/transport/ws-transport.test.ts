import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { WsTransport } from '../../../../src/sip/transport/ws-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import type { TransportLimits } from '../../../../src/sip/transport/limits.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { eventually, onceGuarded, Recorder, sipRequest } from './helpers/recorder.js';
import { testCert } from './helpers/test-cert.js';

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

async function closeServer(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

async function setup(limits?: Partial<TransportLimits>, clock?: FakeClock) {
  const http = createHttpServer((_req, res) => res.end('web'));
  const rec = new Recorder();
  const t = new WsTransport({ server: http, limits, clock, delegate: rec });
  await t.start();
  const port = await listen(http);
  return { http, t, rec, port };
}

/** A ws client that records its messages. */
async function client(url: string, protocols: string[] = ['sip'], opts: { rejectUnauthorized?: boolean } = {}) {
  const ws = new WebSocket(url, protocols, opts);
  const got: { text: string; binary: boolean }[] = [];
  ws.on('message', (d: Buffer, isBinary: boolean) => got.push({ text: d.toString('latin1'), binary: isBinary }));
  ws.on('error', () => {});
  await onceGuarded(ws, 'open');
  return { ws, got };
}

describe('WsTransport (RFC 7118)', () => {
  test('one SIP message per frame, both ways; reply by flow or by peer; no-flow otherwise', async () => {
    const { http, t, rec, port } = await setup();
    const c = await client(`ws://127.0.0.1:${port}/sip?x=1`);
    try {
      assert.equal(c.ws.protocol, 'sip');
      assert.equal(t.local.port, port);
      c.ws.send(sipRequest(1, 'hi', 'WS').toString('latin1'));
      c.ws.send(sipRequest(2, '', 'WS'));
      await rec.until(() => rec.data.length === 2, 'two messages');
      const d = rec.data[0];
      assert.ok(d !== undefined && d.flowId !== undefined);
      assert.equal(d.source.protocol, 'ws');
      assert.equal(d.source.address, '127.0.0.1');
      assert.equal(d.local.port, port);
      assert.equal(d.data.toString('latin1'), sipRequest(1, 'hi', 'WS').toString('latin1'));
      await t.send(d.source, sipRequest(3), d.flowId);
      await t.send(d.source, sipRequest(4));
      await eventually(() => c.got.length === 2, 'replies');
      assert.deepEqual(
        c.got.map((g) => g.binary),
        [false, false],
      );
      // Non-UTF-8 bodies go as binary frames.
      await t.send(d.source, Buffer.from([0x53, 0x49, 0x50, 0xff, 0xfe]), d.flowId);
      await eventually(() => c.got.length === 3, 'binary');
      assert.equal(c.got[2]?.binary, true);
      await assert.rejects(
        t.send({ protocol: 'ws', address: '127.0.0.1', port: 1 }, sipRequest(5)),
        (e: unknown) => e instanceof TransportError && e.code === 'no-flow',
      );
      await assert.rejects(
        t.send(d.source, sipRequest(5), 'ws-gone-1', { strictFlow: true }),
        (e: unknown) => e instanceof TransportError && e.code === 'flow-failed',
      );
    } finally {
      c.ws.terminate();
      await t.stop();
      await closeServer(http);
    }
  });

  test('an upgrade without the sip subprotocol is refused (RFC 7118 section 4)', async () => {
    const { http, t, rec, port } = await setup();
    try {
      for (const protocols of [[], ['chat']]) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/sip`, protocols);
        ws.on('error', () => {});
        const [, res] = (await onceGuarded(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
        assert.equal(res.statusCode, 400);
        ws.terminate();
      }
      assert.equal(t.connectionCount, 0);
      assert.ok(rec.warnings.some((w) => w.code === 'no-subprotocol'));
    } finally {
      await t.stop();
      await closeServer(http);
    }
  });

  test('other paths are left to other upgrade listeners', async () => {
    const { http, t, port } = await setup();
    http.on('upgrade', (req, socket: Duplex) => {
      if (req.url === '/other')
        socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/other`, ['sip']);
      ws.on('error', () => {});
      const [, res] = (await onceGuarded(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 418);
      ws.terminate();
      assert.equal(t.connectionCount, 0);
      const c = await client(`ws://127.0.0.1:${port}/sip`);
      c.ws.terminate();
    } finally {
      await t.stop();
      await closeServer(http);
    }
  });

  test('CRLFCRLF keep-alive frames get a CRLF; lone CRLF frames are ignored', async () => {
    const { http, t, rec, port } = await setup();
    const c = await client(`ws://127.0.0.1:${port}/sip`);
    try {
      c.ws.send('\r\n\r\n');
      await eventually(() => c.got.length === 1, 'pong');
      assert.equal(c.got[0]?.text, '\r\n');
      c.ws.send('\r\n');
      c.ws.send(sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'message');
      assert.equal(c.got.length, 1);
    } finally {
      c.ws.terminate();
      await t.stop();
      await closeServer(http);
    }
  });

  test('an oversize frame closes the connection (1009) and the flow', async () => {
    const { http, t, rec, port } = await setup({ maxMessageSize: 1000 });
    const c = await client(`ws://127.0.0.1:${port}/sip`);
    const other = await client(`ws://127.0.0.1:${port}/sip`);
    try {
      c.ws.send(sipRequest(1, 'z'.repeat(2000)));
      const [code] = (await onceGuarded(c.ws, 'close')) as [number];
      assert.equal(code, 1009);
      await rec.until(() => rec.closed.length === 1, 'flow closed');
      assert.ok(rec.warnings.some((w) => w.code === 'too-large'));
      other.ws.send(sipRequest(2));
      await rec.until(() => rec.data.length === 1, 'other connection still served');
    } finally {
      c.ws.terminate();
      other.ws.terminate();
      await t.stop();
      await closeServer(http);
    }
  });

  test('idle timeout closes a silent connection', async () => {
    const clock = new FakeClock();
    const { http, t, rec, port } = await setup({ idleTimeoutMs: 1000 }, clock);
    const c = await client(`ws://127.0.0.1:${port}/sip`);
    try {
      c.ws.send(sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'message');
      const flowId = rec.data[0]?.flowId as string;
      clock.advance(999);
      assert.equal(t.hasFlow(flowId), true);
      clock.advance(1);
      assert.equal(t.hasFlow(flowId), false);
      await onceGuarded(c.ws, 'close');
      await rec.until(() => rec.closed.includes(flowId), 'onFlowClosed');
    } finally {
      c.ws.terminate();
      await t.stop();
      await closeServer(http);
    }
  });

  test('per-IP cap refuses further upgrades with 503', async () => {
    const { http, t, port } = await setup({ maxConnectionsPerIp: 1 });
    const c = await client(`ws://127.0.0.1:${port}/sip`);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/sip`, ['sip']);
      ws.on('error', () => {});
      const [, res] = (await onceGuarded(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 503);
      ws.terminate();
      assert.equal(t.connectionCount, 1);
    } finally {
      c.ws.terminate();
      await t.stop();
      await closeServer(http);
    }
  });

  test('wss on an https server; stop closes the connections', async () => {
    const { cert, key } = await testCert();
    const https = createHttpsServer({ cert, key });
    const rec = new Recorder();
    const t = new WsTransport({ server: https, delegate: rec });
    assert.equal(t.protocol, 'wss');
    await t.start();
    const port = await listen(https);
    const c = await client(`wss://127.0.0.1:${port}/sip`, ['sip'], { rejectUnauthorized: false });
    try {
      c.ws.send(sipRequest(1, '', 'WSS'));
      await rec.until(() => rec.data.length === 1, 'message over wss');
      assert.equal(rec.data[0]?.source.protocol, 'wss');
      const closed = onceGuarded(c.ws, 'close');
      await t.stop();
      await closed;
      await rec.until(() => rec.closed.length === 1, 'flow closed on stop');
      await assert.rejects(
        t.send(rec.data[0]?.source as never, sipRequest(2)),
        (e: unknown) => e instanceof TransportError && e.code === 'stopped',
      );
    } finally {
      c.ws.terminate();
      await t.stop();
      await closeServer(https);
    }
  });
});
