import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { WsClientTransport } from '../../../../src/sip/transport/ws-client-transport.js';
import { WsTransport } from '../../../../src/sip/transport/ws-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import { Recorder, sipRequest } from './helpers/recorder.js';

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

async function closeServer(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** openum's server-side WebSocket transport on an HTTP server, and a client transport to it. */
async function pair() {
  const http = createHttpServer((_req, res) => res.end('web'));
  const srec = new Recorder();
  const server = new WsTransport({ server: http, delegate: srec });
  await server.start();
  const port = await listen(http);
  const crec = new Recorder();
  const client = new WsClientTransport({ url: `ws://127.0.0.1:${port}/sip`, delegate: crec });
  return { http, server, srec, client, crec, port };
}

describe('WsClientTransport (RFC 7118, client side)', () => {
  test('connects with the sip subprotocol, carries SIP both ways on one flow, answers CRLFCRLF pings', async () => {
    const { http, server, srec, client, crec, port } = await pair();
    try {
      await client.start();
      assert.equal(client.protocol, 'ws');
      assert.equal(client.local.address, '127.0.0.1');
      assert.ok(client.local.port > 0);
      assert.deepEqual(client.remote, { protocol: 'ws', address: '127.0.0.1', port });
      await client.send({ protocol: 'ws', address: '127.0.0.1', port }, sipRequest(1));
      await srec.until(() => srec.data.length === 1, 'the request at the server');
      const flow = srec.data[0]!.flowId!;
      assert.equal(srec.texts()[0], sipRequest(1).toString('latin1'));
      // The server answers over the flow; a ping from the server gets a CRLF pong, not a message.
      await server.send(srec.data[0]!.source, sipRequest(2), flow);
      await crec.until(() => crec.data.length === 1, 'the answer at the client');
      const got = crec.data[0]!;
      assert.equal(got.data.toString('latin1'), sipRequest(2).toString('latin1'));
      assert.ok(got.flowId !== undefined && client.hasFlow(got.flowId));
      assert.deepEqual(got.source, client.remote);
      await server.send(srec.data[0]!.source, Buffer.from('\r\n\r\n'), flow);
      await client.send(client.remote, sipRequest(3));
      await srec.until(() => srec.data.length === 2, 'the next request');
      assert.equal(crec.data.length, 1, 'the ping is not handed up');
      // The client's own ping is answered by the server transport and not handed up either.
      await client.send(client.remote, Buffer.from('\r\n\r\n'));
      await client.send(client.remote, sipRequest(4));
      await srec.until(() => srec.data.length === 3, 'the request after the ping');
      assert.equal(crec.data.length, 1);
    } finally {
      await client.stop();
      await server.stop();
      await closeServer(http);
    }
  });

  test('a closed connection is reported once, and the next send opens a new flow', async () => {
    const { http, server, srec, client, crec } = await pair();
    try {
      await client.start();
      await client.send(client.remote, sipRequest(1));
      await srec.until(() => srec.data.length === 1, 'the first request');
      const firstFlow = srec.data[0]!.flowId!;
      server.closeFlow(firstFlow);
      await crec.until(() => crec.closed.length === 1, 'the flow closed at the client');
      await client.send(client.remote, sipRequest(2));
      await srec.until(() => srec.data.length === 2, 'the request over a new connection');
      assert.notEqual(srec.data[1]!.flowId, firstFlow);
      assert.equal(crec.closed.length, 1);
      await assert.rejects(
        client.send(client.remote, sipRequest(3), crec.closed[0], { strictFlow: true }),
        (e: unknown) => e instanceof TransportError && e.code === 'flow-failed',
        'strictFlow: the old flow is gone',
      );
    } finally {
      await client.stop();
      await server.stop();
      await closeServer(http);
    }
  });

  test('refusals: nobody listening, no sip subprotocol, a bad URL, sending before start or after stop', async () => {
    const http = createHttpServer();
    const port = await listen(http);
    await closeServer(http);
    const nobody = new WsClientTransport({ url: `ws://127.0.0.1:${port}/sip` });
    await assert.rejects(nobody.start(), (e: unknown) => e instanceof TransportError && e.code === 'connect-failed');

    const plain = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise<void>((r) => plain.once('listening', r));
    const addr = plain.address();
    const plainPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
    const noSip = new WsClientTransport({ url: `ws://127.0.0.1:${plainPort}/` });
    await assert.rejects(
      noSip.start(),
      (e: unknown) => e instanceof TransportError && e.code === 'connect-failed' && /subprotocol/i.test(e.message),
    );
    for (const c of plain.clients) c.terminate();
    await new Promise<void>((r) => plain.close(() => r()));

    assert.throws(() => new WsClientTransport({ url: 'http://127.0.0.1/sip' }), TransportError);
    assert.throws(() => new WsClientTransport({ url: 'not a url' }), TransportError);
    const idle = new WsClientTransport({ url: 'ws://127.0.0.1:1/sip' });
    await assert.rejects(
      idle.send(idle.remote, sipRequest(1)),
      (e: unknown) => e instanceof TransportError && e.code === 'not-started',
    );
    await idle.stop();
    await assert.rejects(
      idle.send(idle.remote, sipRequest(1)),
      (e: unknown) => e instanceof TransportError && e.code === 'stopped',
    );
  });
});
