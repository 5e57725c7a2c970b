import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopbackNetwork, LoopbackTransport, type LoopbackPacket } from '../../../../src/sip/transport/loopback.js';
import { TransportError } from '../../../../src/sip/transport/transport-error.js';
import type { TransportProtocol } from '../../../../src/sip/transport/types.js';
import { Recorder } from './helpers/recorder.js';

/** A network whose deliveries run only when the test says so. */
function manualNetwork(loss?: (p: LoopbackPacket) => boolean) {
  const queue: (() => void)[] = [];
  const net = new LoopbackNetwork({ schedule: (fn) => queue.push(fn), loss });
  const run = (): number => {
    let n = 0;
    while (queue.length > 0) {
      (queue.shift() as () => void)();
      n++;
    }
    return n;
  };
  return { net, queue, run };
}

async function node(net: LoopbackNetwork, protocol: TransportProtocol, address: string, port = 0, dial?: boolean) {
  const rec = new Recorder();
  const t = new LoopbackTransport(net, { protocol, address, port, delegate: rec, dial });
  await t.start();
  return { t, rec };
}

const msg = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('LoopbackNetwork / LoopbackTransport', () => {
  test('datagrams: delivered via the scheduler, with loss and trace', async () => {
    const trace: LoopbackPacket[] = [];
    let dropNext = false;
    const { net, queue, run } = manualNetwork((p) => {
      trace.push(p);
      const drop = dropNext;
      dropNext = false;
      return drop;
    });
    const a = await node(net, 'udp', '10.0.0.1', 5060);
    const b = await node(net, 'udp', '10.0.0.2', 5060);
    await a.t.send(b.t.local, msg('one'));
    assert.equal(b.rec.data.length, 0, 'nothing before the scheduler runs');
    assert.equal(queue.length, 1);
    run();
    assert.deepEqual(b.rec.texts(), ['one']);
    assert.deepEqual(b.rec.data[0]?.source, { protocol: 'udp', address: '10.0.0.1', port: 5060 });
    assert.equal(b.rec.data[0]?.flowId, undefined);
    dropNext = true;
    await a.t.send(b.t.local, msg('lost'));
    await a.t.send(b.t.local, msg('two'));
    run();
    assert.deepEqual(b.rec.texts(), ['one', 'two']);
    assert.equal(trace.length, 3);
    await a.t.send({ protocol: 'udp', address: '10.9.9.9', port: 1 }, msg('to nobody'));
    run();
  });

  test('flows: connect with an ephemeral port, reply by flow and by peer, close both sides', async () => {
    const { net, run } = manualNetwork();
    const srv = await node(net, 'tcp', '10.0.0.1', 5060);
    const cli = await node(net, 'tcp', '10.0.0.2', 5060);
    await cli.t.send(srv.t.local, msg('REGISTER'));
    run();
    const d = srv.rec.data[0];
    assert.ok(d !== undefined && d.flowId !== undefined);
    assert.equal(d.source.address, '10.0.0.2');
    assert.notEqual(d.source.port, 5060, 'client side uses an ephemeral port');
    assert.deepEqual(d.local, srv.t.local);
    await srv.t.send(d.source, msg('200 by flow'), d.flowId);
    await srv.t.send(d.source, msg('NOTIFY by peer'));
    await cli.t.send(srv.t.local, msg('again'));
    run();
    assert.deepEqual(cli.rec.texts(), ['200 by flow', 'NOTIFY by peer']);
    assert.equal(new Set(cli.rec.data.map((x) => x.flowId)).size, 1);
    assert.equal(srv.rec.data[1]?.flowId, d.flowId, 'client reused its flow');
    assert.equal(srv.t.flowIds.length, 1);
    const cliFlow = cli.rec.data[0]?.flowId as string;
    assert.equal(srv.t.closeFlow(d.flowId), true);
    run();
    assert.deepEqual(srv.rec.closed, [d.flowId]);
    assert.deepEqual(cli.rec.closed, [cliFlow]);
    await assert.rejects(
      srv.t.send(d.source, msg('x'), d.flowId, { strictFlow: true }),
      (e: unknown) => e instanceof TransportError && e.code === 'flow-failed',
    );
    // Non-strict: the server dials the client's ephemeral port, which nobody listens on.
    await assert.rejects(
      srv.t.send(d.source, msg('x'), d.flowId),
      (e: unknown) => e instanceof TransportError && e.code === 'connect-failed',
    );
    // The client opens a new flow.
    await cli.t.send(srv.t.local, msg('new flow'));
    run();
    assert.notEqual(srv.rec.data[2]?.flowId, d.flowId);
  });

  test('ws does not dial unless allowed; a dialling ws client works', async () => {
    const { net, run } = manualNetwork();
    const srv = await node(net, 'ws', '10.0.0.1', 8080);
    const phone = await node(net, 'ws', '10.0.0.3', 0, true);
    await assert.rejects(
      srv.t.send(phone.t.local, msg('x')),
      (e: unknown) => e instanceof TransportError && e.code === 'no-flow',
    );
    await phone.t.send(srv.t.local, msg('REGISTER'));
    run();
    const d = srv.rec.data[0];
    assert.ok(d?.flowId !== undefined);
    await srv.t.send(d.source, msg('200'));
    run();
    assert.deepEqual(phone.rec.texts(), ['200']);
  });

  test('default scheduler is asynchronous (microtask); stop closes flows; duplicate bind fails', async () => {
    const net = new LoopbackNetwork();
    const srv = await node(net, 'tls', '10.0.0.1', 5061);
    const cli = await node(net, 'tls', '10.0.0.2');
    const sent = cli.t.send(srv.t.local, msg('hello'));
    assert.equal(srv.rec.data.length, 0, 'not delivered synchronously');
    await sent;
    await srv.rec.until(() => srv.rec.data.length === 1, 'delivery');
    await cli.t.stop();
    await srv.rec.until(() => srv.rec.closed.length === 1, 'flow closed by stop');
    const dup = new LoopbackTransport(net, { protocol: 'tls', address: '10.0.0.1', port: 5061 });
    await assert.rejects(dup.start(), (e: unknown) => e instanceof TransportError && e.code === 'bind-failed');
    await assert.rejects(
      cli.t.send(srv.t.local, msg('x')),
      (e: unknown) => e instanceof TransportError && e.code === 'stopped',
    );
  });

  test('data is copied: later mutation by the sender is not seen', async () => {
    const { net, run } = manualNetwork();
    const a = await node(net, 'udp', '10.0.0.1', 5060);
    const b = await node(net, 'udp', '10.0.0.2', 5060);
    const buf = msg('abc');
    await a.t.send(b.t.local, buf);
    buf[0] = 0x7a;
    run();
    assert.deepEqual(b.rec.texts(), ['abc']);
  });
});
