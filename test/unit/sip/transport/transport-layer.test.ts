import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopbackNetwork, LoopbackTransport } from '../../../../src/sip/transport/loopback.js';
import { TcpTransport } from '../../../../src/sip/transport/tcp-transport.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { Endpoint } from '../../../../src/sip/transport/types.js';
import { Recorder, sipRequest } from './helpers/recorder.js';

function manual() {
  const queue: (() => void)[] = [];
  const net = new LoopbackNetwork({ schedule: (fn) => queue.push(fn) });
  const run = (): void => {
    while (queue.length > 0) (queue.shift() as () => void)();
  };
  return { net, run };
}

const msg = (s: string): Buffer => Buffer.from(s, 'latin1');
const isCode = (code: string) => (e: unknown) => e instanceof TransportError && e.code === code;

describe('TransportLayer (RFC 3261 section 18)', () => {
  test('routes by protocol and delivers everything to one delegate', async () => {
    const { net, run } = manual();
    const rec = new Recorder();
    const layer = new TransportLayer({
      delegate: rec,
      transports: [
        new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.1', port: 5060 }),
        new LoopbackTransport(net, { protocol: 'tcp', address: '10.0.0.1', port: 5060 }),
      ],
    });
    await layer.start();
    const peerRec = new Recorder();
    const peer = new TransportLayer({
      delegate: peerRec,
      transports: [
        new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.2', port: 5060 }),
        new LoopbackTransport(net, { protocol: 'tcp', address: '10.0.0.2', port: 5060 }),
      ],
    });
    await peer.start();
    await peer.send({ protocol: 'udp', address: '10.0.0.1', port: 5060 }, msg('over udp'));
    await peer.send({ protocol: 'tcp', address: '10.0.0.1', port: 5060 }, msg('over tcp'));
    run();
    assert.deepEqual(rec.texts(), ['over udp', 'over tcp']);
    assert.equal(rec.data[0]?.source.protocol, 'udp');
    assert.equal(rec.data[1]?.source.protocol, 'tcp');
    const tcp = rec.data[1];
    assert.ok(tcp?.flowId !== undefined);
    assert.equal(layer.hasFlow(tcp.flowId), true);
    // A flow wins over dest.protocol (RFC 3261 section 18.2.2: same connection).
    await layer.send({ ...tcp.source, protocol: 'udp' }, msg('response'), tcp.flowId);
    run();
    assert.deepEqual(peerRec.texts(), ['response']);
    assert.equal(peerRec.data[0]?.source.protocol, 'tcp');
    await assert.rejects(
      layer.send({ protocol: 'tls', address: '10.0.0.2', port: 5061 }, msg('x')),
      isCode('no-transport'),
    );
    await layer.stop();
    await peer.stop();
  });

  test('a closed flow: strict -> flow-failed, otherwise a new connection; onFlowClosed forwarded', async () => {
    const { net, run } = manual();
    const rec = new Recorder();
    const layer = new TransportLayer({
      delegate: rec,
      transports: [new LoopbackTransport(net, { protocol: 'tcp', address: '10.0.0.1', port: 5060 })],
    });
    const peerRec = new Recorder();
    const peer = new TransportLayer({
      delegate: peerRec,
      transports: [new LoopbackTransport(net, { protocol: 'tcp', address: '10.0.0.2', port: 5060 })],
    });
    await layer.start();
    await peer.start();
    const serverEp: Endpoint = { protocol: 'tcp', address: '10.0.0.1', port: 5060 };
    const peerEp: Endpoint = { protocol: 'tcp', address: '10.0.0.2', port: 5060 };
    await peer.send(serverEp, msg('REGISTER'));
    run();
    const flowId = rec.data[0]?.flowId as string;
    assert.equal(layer.closeFlow(flowId), true);
    run();
    assert.deepEqual(rec.closed, [flowId]);
    assert.equal(peerRec.closed.length, 1);
    assert.equal(layer.hasFlow(flowId), false);
    await assert.rejects(layer.send(peerEp, msg('NOTIFY'), flowId, { strictFlow: true }), isCode('flow-failed'));
    await layer.send(peerEp, msg('NOTIFY'), flowId);
    run();
    assert.deepEqual(peerRec.texts(), ['NOTIFY']);
    assert.notEqual(peerRec.data[0]?.flowId, undefined);
    assert.equal(layer.closeFlow('nope'), false);
    await layer.stop();
    await peer.stop();
  });

  test('ws needs a flow; RFC 5923 alias makes a flow reachable by sent-by', async () => {
    const { net, run } = manual();
    const rec = new Recorder();
    const layer = new TransportLayer({
      delegate: rec,
      transports: [new LoopbackTransport(net, { protocol: 'ws', address: '10.0.0.1', port: 80 })],
    });
    await layer.start();
    const phoneRec = new Recorder();
    const phone = new LoopbackTransport(net, {
      protocol: 'ws',
      address: '10.0.0.5',
      port: 0,
      dial: true,
      delegate: phoneRec,
    });
    await phone.start();
    const sentBy: Endpoint = { protocol: 'ws', address: 'phone.invalid', port: 5060 };
    await assert.rejects(layer.send(sentBy, msg('x')), isCode('no-flow'));
    await phone.send({ protocol: 'ws', address: '10.0.0.1', port: 80 }, msg('REGISTER'));
    run();
    const flowId = rec.data[0]?.flowId as string;
    assert.equal(layer.aliasFlow(flowId, sentBy), true);
    await layer.send(sentBy, msg('OPTIONS'));
    run();
    assert.deepEqual(phoneRec.texts(), ['OPTIONS']);
    await layer.stop();
    await phone.stop();
  });

  test('picks the transport of the destination address family', async () => {
    const { net } = manual();
    const v4 = new LoopbackTransport(net, { protocol: 'udp', address: '127.0.0.1', port: 5060 });
    const v6 = new LoopbackTransport(net, { protocol: 'udp', address: '::1', port: 5060 });
    const layer = new TransportLayer({ transports: [v4, v6] });
    assert.equal(layer.transportFor('udp', '::1'), v6);
    assert.equal(layer.transportFor('udp', '[::1]'), v6);
    assert.equal(layer.transportFor('udp', '192.0.2.1'), v4);
    assert.equal(layer.transportFor('udp', 'example.com'), v4);
    assert.equal(layer.transportFor('tcp', '192.0.2.1'), undefined);
    const dual = new LoopbackTransport(net, { protocol: 'tcp', address: '::', port: 5060 });
    layer.add(dual);
    assert.equal(layer.transportFor('tcp', '192.0.2.1'), dual);
  });

  test('start failure stops what was started and rejects', async () => {
    const { net } = manual();
    const a = new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.1', port: 5060 });
    const b = new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.1', port: 5060 });
    const layer = new TransportLayer({ transports: [a, b] });
    await assert.rejects(layer.start(), isCode('bind-failed'));
    await assert.rejects(a.send({ protocol: 'udp', address: '10.0.0.2', port: 1 }, msg('x')), isCode('stopped'));
  });

  test('over real TCP: connection reuse through the layer', async () => {
    const rec = new Recorder();
    const srv = new TransportLayer({ delegate: rec, transports: [new TcpTransport({ address: '127.0.0.1' })] });
    const cliRec = new Recorder();
    const cli = new TransportLayer({ delegate: cliRec, transports: [new TcpTransport({ address: '127.0.0.1' })] });
    await srv.start();
    await cli.start();
    try {
      const port = srv.transports[0]?.local.port as number;
      await cli.send({ protocol: 'tcp', address: '127.0.0.1', port }, sipRequest(1));
      await rec.until(() => rec.data.length === 1, 'request');
      const d = rec.data[0];
      assert.ok(d?.flowId !== undefined);
      await srv.send(d.source, sipRequest(2));
      await srv.send(d.source, sipRequest(3), d.flowId);
      await cliRec.until(() => cliRec.data.length === 2, 'responses');
      assert.equal(new Set(cliRec.data.map((x) => x.flowId)).size, 1);
      assert.equal((srv.transports[0] as TcpTransport).connectionCount, 1);
    } finally {
      await cli.stop();
      await srv.stop();
    }
  });
});
