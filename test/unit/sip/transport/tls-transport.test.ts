import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { TlsTransport } from '../../../../src/sip/transport/tls-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import type { TransportLimits } from '../../../../src/sip/transport/limits.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { RawClient } from './helpers/raw-client.js';
import { eventually, Recorder, sipRequest } from './helpers/recorder.js';
import { testCert } from './helpers/test-cert.js';

async function tlsServer(
  limits?: Partial<TransportLimits>,
  extra: Partial<ConstructorParameters<typeof TlsTransport>[0]> = {},
) {
  const { cert, key } = await testCert();
  const rec = new Recorder();
  const t = new TlsTransport({ address: '127.0.0.1', port: 0, cert, key, limits, delegate: rec, ...extra });
  await t.start();
  return { t, rec };
}

async function tlsClient(extra: Partial<ConstructorParameters<typeof TlsTransport>[0]> = {}) {
  const { cert, key } = await testCert();
  const rec = new Recorder();
  const t = new TlsTransport({
    address: '127.0.0.1',
    port: 0,
    cert,
    key,
    delegate: rec,
    clientOptions: { ca: cert },
    ...extra,
  });
  await t.start();
  return { t, rec };
}

describe('TlsTransport (RFC 3261 section 18, 26.2)', () => {
  test('verified round trip, answer over the flow, reuse both ways', async () => {
    const { t: srv, rec } = await tlsServer();
    const { t: cli, rec: cliRec } = await tlsClient();
    try {
      const dest = { protocol: 'tls' as const, address: '127.0.0.1', port: srv.local.port };
      await Promise.all([cli.send(dest, sipRequest(1, 'a', 'TLS')), cli.send(dest, sipRequest(2, '', 'TLS'))]);
      await rec.until(() => rec.data.length === 2, 'two messages');
      const d = rec.data[0];
      assert.ok(d !== undefined && d.flowId !== undefined);
      assert.equal(d.source.protocol, 'tls');
      assert.equal(rec.data[1]?.flowId, d.flowId);
      await srv.send(d.source, sipRequest(3), d.flowId);
      await srv.send(d.source, sipRequest(4));
      await cliRec.until(() => cliRec.data.length === 2, 'replies');
      assert.equal(srv.connectionCount, 1);
      assert.equal(cli.connectionCount, 1);
      assert.equal(srv.peerInfo(d.flowId), undefined, 'no client certificate');
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('an unverifiable server certificate fails the connect', async () => {
    const { t: srv } = await tlsServer();
    const { t: cli } = await tlsClient({ clientOptions: {} });
    try {
      const dest = { protocol: 'tls' as const, address: '127.0.0.1', port: srv.local.port };
      await assert.rejects(
        cli.send(dest, sipRequest(1)),
        (e: unknown) => e instanceof TransportError && e.code === 'connect-failed',
      );
      assert.equal(cli.connectionCount, 0);
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('mutual TLS: the peer certificate is visible per flow', async () => {
    const { cert, key } = await testCert();
    const { t: srv, rec } = await tlsServer(undefined, {
      serverOptions: { requestCert: true, rejectUnauthorized: true, ca: cert },
    });
    const { t: cli } = await tlsClient({ clientOptions: { ca: cert, cert, key } });
    try {
      await cli.send({ protocol: 'tls', address: '127.0.0.1', port: srv.local.port }, sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'message');
      const info = srv.peerInfo(rec.data[0]?.flowId as string);
      assert.ok(info !== undefined);
      assert.equal(info.authorized, true);
      assert.equal(info.commonName, 'localhost');
      assert.ok(info.subjectAltNames.includes('IP Address:127.0.0.1'));
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });

  test('connect timeout when the handshake never completes', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((s) => {
      s.on('error', () => {});
      sockets.push(s); // accepts TCP, never speaks TLS
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const addr = mute.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const clock = new FakeClock();
    const { t: cli } = await tlsClient({ clock, limits: { connectTimeoutMs: 1000 } });
    try {
      const p = cli.send({ protocol: 'tls', address: '127.0.0.1', port }, sipRequest(1));
      await eventually(() => sockets.length === 1, 'tcp accepted');
      let settled = false;
      p.then(
        () => (settled = true),
        () => (settled = true),
      );
      clock.advance(999);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(settled, false);
      clock.advance(1);
      await assert.rejects(p, (e: unknown) => e instanceof TransportError && e.code === 'connect-timeout');
    } finally {
      await cli.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  test('plain text on the TLS port is dropped; the server keeps serving', async () => {
    const { t: srv, rec } = await tlsServer();
    const plain = await RawClient.tcp(srv.local.port);
    try {
      plain.write(sipRequest(1));
      await plain.until(() => plain.closed, 'plain client closed');
      const good = await RawClient.tls(srv.local.port);
      good.write(sipRequest(2));
      await rec.until(() => rec.data.length === 1, 'TLS client served');
      good.close();
    } finally {
      plain.close();
      await srv.stop();
    }
  });

  test('the per-IP cap applies before the handshake', async () => {
    const { t: srv, rec } = await tlsServer({ maxConnectionsPerIp: 1 });
    const first = await RawClient.tls(srv.local.port);
    const second = new RawClient(connect({ port: srv.local.port, host: '127.0.0.1' }));
    try {
      await second.until(() => second.closed, 'second refused');
      assert.ok(rec.warnings.some((w) => w.code === 'per-ip-limit'));
      first.write(sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'first served');
    } finally {
      first.close();
      second.close();
      await srv.stop();
    }
  });

  test('a garbage message inside TLS closes the flow', async () => {
    const { t: srv, rec } = await tlsServer();
    const c = await RawClient.tls(srv.local.port);
    try {
      c.write('\x00\x01garbage');
      await c.until(() => c.closed, 'closed');
      await rec.until(() => rec.closed.length === 1, 'flow closed');
      assert.ok(rec.warnings.some((w) => w.code === 'garbage'));
    } finally {
      c.close();
      await srv.stop();
    }
  });

  test('stop does not wait for connections still in the handshake', async () => {
    // connectionCount counts flows, so it never sees a socket that is still handshaking; with a
    // cap of one connection, the refusal of a second one shows that the silent one was accepted.
    const { t: srv, rec } = await tlsServer({ maxConnections: 1 });
    const silent = await RawClient.tcp(srv.local.port);
    const probe = new RawClient(connect({ port: srv.local.port, host: '127.0.0.1' }));
    try {
      await probe.until(() => probe.closed, 'second connection refused');
      assert.ok(
        rec.warnings.some((w) => w.code === 'connection-limit'),
        'the silent connection holds the only place',
      );
      assert.equal(silent.closed, false, 'the silent connection is open until stop');
      const stopped = srv.stop();
      await silent.until(() => silent.closed, 'handshaking client closed by stop');
      await stopped;
    } finally {
      silent.close();
      probe.close();
    }
  });
});
