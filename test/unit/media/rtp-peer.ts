/**
 * Real UDP peers on loopback for the RTP session tests: sockets bound to
 * port 0 on 127.0.0.x, packets built with the repo's own RTP writer, and a
 * bounded wait for what the network delivers.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { FakeClock } from '../../../src/base/clock.js';
import { PlayoutClock } from '../../../src/media/playout-clock.js';
import type { RtpPorts } from '../../../src/media/port-pool.js';
import { writeRtpHeader } from '../../../src/media/rtp-packet.js';
import { RtpSession } from '../../../src/media/rtp-session.js';
import type { IdleMode } from '../../../src/media/rtp-sender.js';
import type { NegotiatedAudio } from '../../../src/media/sdp-negotiation.js';

export interface Peer {
  socket: Socket;
  address: string;
  port: number;
  /** Datagrams received, with their source. */
  got: { data: Buffer; from: RemoteInfo }[];
  send(data: Uint8Array, port: number, address?: string): Promise<void>;
}

export async function bindUdp(address = '127.0.0.1'): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, address, () => resolve());
  });
  return s;
}

/** What the tests opened, closed by {@link closeOpened} (an afterEach) even when a test fails half-way. */
const opened: (() => void)[] = [];

export function closeOpened(): void {
  for (const close of opened.splice(0)) close();
}

export async function peer(address = '127.0.0.1'): Promise<Peer> {
  const socket = await bindUdp(address);
  opened.push(() => socket.close());
  const got: Peer['got'] = [];
  socket.on('message', (data, from) => got.push({ data, from }));
  return {
    socket,
    address,
    port: socket.address().port,
    got,
    send: (data, port, to = '127.0.0.1') =>
      new Promise((resolve, reject) => socket.send(data, port, to, (e) => (e ? reject(e) : resolve()))),
  };
}

/** An RTP packet: 12-byte header and `payload` (default 160 bytes of PCMU silence). */
export function rtp(pt: number, seq: number, ts: number, ssrc: number, payload?: Uint8Array, marker = false): Buffer {
  const body = payload ?? new Uint8Array(160).fill(0xff);
  const b = Buffer.alloc(12 + body.length);
  writeRtpHeader(b, marker, pt, seq & 0xffff, ts >>> 0, ssrc);
  b.set(body, 12);
  return b;
}

/** Wait (in real time, at most `ms`) until `cond` holds; throws if it never does. */
export async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Advance fake time 10 ms at a time with an event-loop turn in between, so real sends complete as they would. */
export async function step(fake: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    fake.advance(Math.min(10, ms - t));
    await turn();
  }
}

/** Ports of a session bound to port 0 (RTCP is not port + 1 here: tests give the peer its real port). */
export async function loopbackPorts(rtcpMux = false): Promise<RtpPorts> {
  const rtp = await bindUdp();
  const rtcp = rtcpMux ? undefined : await bindUdp();
  let closed = false;
  return {
    rtp,
    rtcp,
    port: rtp.address().port,
    close: () => {
      if (closed) throw new Error('ports closed twice');
      closed = true;
      rtp.close();
      rtcp?.close();
    },
  };
}

export function audio(over: Partial<NegotiatedAudio> = {}): NegotiatedAudio {
  return {
    law: 'PCMU',
    payloadType: 0,
    dtmfPayloadType: 101,
    ptimeMs: 20,
    remote: undefined,
    remoteRtcpPort: undefined,
    rtcpMux: false,
    direction: 'sendrecv',
    ...over,
  };
}

export interface Harness {
  fake: FakeClock;
  playout: PlayoutClock;
  session: RtpSession;
  ports: RtpPorts;
  /** Our RTCP port. */
  rtcpPort: number | undefined;
}

export async function harness(a: NegotiatedAudio, idle: IdleMode = 'nothing'): Promise<Harness> {
  const fake = new FakeClock(1_000_000);
  const playout = new PlayoutClock(fake);
  const ports = await loopbackPorts(a.rtcpMux);
  const session = new RtpSession({ ports, audio: a, playout, idle });
  opened.push(() => {
    session.close();
    playout.close();
  });
  return { fake, playout, session, ports, rtcpPort: ports.rtcp?.address().port };
}

/** Every datagram the session got is counted exactly once somewhere. */
export function counted(session: RtpSession): number {
  const s = session.stats();
  const dropped = Object.values(s.dropped).reduce((x, y) => x + y, 0);
  return s.received + dropped + s.rtcpReceived + s.rtcpDropped;
}
