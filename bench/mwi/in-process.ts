/**
 * In-process MWI micro-benchmark: the whole SIP service (createSipService)
 * without sockets or SIPp, to see the server's own cost quickly while
 * optimising. Not a substitute for `npm run bench:mwi` (no kernel, no peer).
 *
 *   node dist/bench/mwi/in-process.js fanout [N=2000] [M=40000]
 *     N subscriptions, then M trusted NOTIFY updates answered by a fake
 *     phone: CPU per update (this process also plays the phone) and heap.
 *   node --expose-gc dist/bench/mwi/in-process.js memory [N=20000]
 *     N subscriptions (digest), 40 s of fake time, full GC: heap per subscription.
 *
 * Add `--cpu-prof` to node to profile either.
 */
import { rmSync } from 'node:fs';
import { createSipService } from '../../src/app/sip-service.js';
import { addUser } from '../../src/app/user-commands.js';
import { DEFAULT_SUBSCRIBE_LIMITS } from '../../src/events/notifier.js';
import { computeDigestResponse, computeHa1, parseChallenge } from '../../src/sip/auth/index.js';
import {
  createResponse,
  parseMessage,
  serializeMessage,
  SipRequest,
  SipResponse,
} from '../../src/sip/message/index.js';
import { FakeClock } from '../../src/base/clock.js';
import { TransportLayer, type Endpoint } from '../../src/sip/transport/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const [mode = 'fanout', nArg, mArg] = process.argv.slice(2);
const N = Number(nArg ?? (mode === 'memory' ? 20_000 : 2000));
const M = Number(mArg ?? 40_000);
// Every fake phone sends from one address: lift the per-address cap as a trusted pool would be.
(DEFAULT_SUBSCRIBE_LIMITS as { perAddressPerSecond: number; perAddressBurst: number }).perAddressPerSecond = 1e9;
(DEFAULT_SUBSCRIBE_LIMITS as { perAddressPerSecond: number; perAddressBurst: number }).perAddressBurst = 1e9;

const dir = `/tmp/openum-in-process-${process.pid}`;
rmSync(dir, { recursive: true, force: true });
const storage = new SqliteStorage(`${dir}/db.sqlite`, { background: true });
storage.db.transaction(() => {
  for (let i = 0; i < N; i++) addUser(storage, { name: `u${i}`, password: 'pw12', domain: 'localhost' });
})();
const out: Buffer[] = [];
const transports = new TransportLayer();
transports.send = async (_dest, data): Promise<void> => {
  out.push(Buffer.from(data));
};
const clock = mode === 'memory' ? new FakeClock(Date.now()) : undefined;
const svc = createSipService({
  storage,
  domain: 'localhost',
  digestSecret: Buffer.alloc(32),
  authAlgorithms: ['MD5'],
  transports,
  trust: ['127.0.0.2/32'],
  registrationGraceMs: 0,
  ...(clock && { clock }),
});
svc.start();
const phone: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: 5070 };
const um: Endpoint = { protocol: 'udp', address: '127.0.0.2', port: 5080 };
const local: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: 5060 };
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Answer every NOTIFY sent so far with 200; return the last response sent. */
function drain(): SipResponse | undefined {
  let res: SipResponse | undefined;
  for (const b of out.splice(0)) {
    const m = parseMessage(b);
    if (m instanceof SipRequest)
      svc.core.receive({ data: serializeMessage(createResponse(m, 200, 'OK')), source: phone, local });
    else res = m;
  }
  return res;
}

function subscribe(u: string, cseq: number, auth = ''): Buffer {
  return Buffer.from(
    `SUBSCRIBE sip:${u}@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK${Math.random()};rport\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:${u}@localhost>;tag=${cseq}x\r\nTo: <sip:${u}@localhost>\r\nCall-ID: ${u}-${Math.random()}@127.0.0.1\r\n` +
      `CSeq: ${cseq} SUBSCRIBE\r\nContact: <sip:${u}@127.0.0.1:5070>\r\nEvent: message-summary\r\nExpires: 3600\r\n${auth}Content-Length: 0\r\n\r\n`,
  );
}

const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  const u = `u${i}`;
  const first = subscribe(u, 1);
  svc.core.receive({ data: first, source: phone, local });
  await tick();
  const ch = parseChallenge(drain()!.getHeader('WWW-Authenticate')!);
  const response = computeDigestResponse({
    algorithm: 'MD5',
    ha1: computeHa1(u, 'localhost', 'pw12', 'MD5'),
    method: 'SUBSCRIBE',
    uri: `sip:${u}@localhost`,
    nonce: ch.nonce,
    nc: '00000001',
    cnonce: 'x',
    qop: 'auth',
  });
  svc.core.receive({
    data: subscribe(
      u,
      2,
      `Authorization: Digest username="${u}", realm="localhost", nonce="${ch.nonce}", ` +
        `uri="sip:${u}@localhost", response="${response}", algorithm=MD5, cnonce="x", qop=auth, nc=00000001\r\n`,
    ),
    source: phone,
    local,
  });
  await tick();
  drain();
  await tick();
  drain();
  clock?.advance(1); // nonces issued in one millisecond are evicted together once 20,000 are tracked
}
const setup = process.cpuUsage(c0);
console.log(
  `subscriptions ${svc.notifier.size}; CPU per setup (this process plays the phone too) ${((setup.user + setup.system) / N).toFixed(0)} us`,
);

if (mode === 'memory') {
  clock!.advance(40_000);
  await tick();
  drain();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) console.log('(run node with --expose-gc for a heap after a full GC)');
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  console.log(
    `heap per subscription ${(m.heapUsed / N).toFixed(0)} B, array buffers ${(m.arrayBuffers / 1e6).toFixed(1)} MB, RSS ${(m.rss / 1e6).toFixed(0)} MB`,
  );
} else {
  const notify = (u: string, n: number, i: number): Buffer => {
    const body = `Messages-Waiting: yes\r\nVoice-Message: ${n}/3 (0/0)\r\n`;
    return Buffer.from(
      `NOTIFY sip:${u}@localhost SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bKum${i};rport\r\nMax-Forwards: 70\r\n` +
        `From: <sip:${u}@localhost>;tag=um${i}\r\nTo: <sip:${u}@localhost>\r\nCall-ID: um-${i}\r\nCSeq: 1 NOTIFY\r\nEvent: message-summary\r\n` +
        `Subscription-State: terminated\r\nContent-Type: application/simple-message-summary\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  };
  const t0 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  for (let i = 0; i < M; i++) {
    svc.core.receive({ data: notify(`u${i % N}`, (i % 90_000) + 1, i), source: um, local });
    if (i % 50 === 49) {
      await tick();
      drain();
      await tick();
      drain();
    }
  }
  await tick();
  drain();
  await tick();
  drain();
  const c = process.cpuUsage(c1);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `updates/s ${(M / s).toFixed(0)}; CPU per update (this process plays the phone too) ${((c.user + c.system) / M).toFixed(1)} us; ` +
      `heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
  );
}
svc.stop();
svc.core.close();
storage.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
