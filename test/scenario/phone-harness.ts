/**
 * Shared set-up of the phone scenario tests (test/scenario/phone-*.test.ts):
 * the real openum SIP service (createSipService) on a loopback network with
 * a FakeClock, UDP and TCP listeners, and phones of src/phone/ on the same
 * network whose output lines are collected.
 */
import { createSipService, type SipService } from '../../src/app/sip-service.js';
import { addUser } from '../../src/app/user-commands.js';
import type { Dialect } from '../../src/phone/lamp.js';
import { Phone, type PhoneOptions } from '../../src/phone/phone.js';
import type { DigestAlgorithm } from '../../src/sip/auth/index.js';
import { FakeClock } from '../../src/base/clock.js';
import {
  LoopbackNetwork,
  LoopbackTransport,
  TransportLayer,
  type LoopbackPacket,
  type TransportProtocol,
} from '../../src/sip/transport/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

export const DOMAIN = 'example.com';
export const T0 = 1_700_000_000_000;
export const SERVER_ADDRESS = '10.0.0.1';
export const SERVER_PORT = 5060;
export const PHONE_ADDRESS = '10.0.0.2';
export const UM_ADDRESS = '10.0.0.9';
export const PASSWORDS: Readonly<Record<string, string>> = { alice: 'secret', bob: 'hunter22' };

/** One event-loop turn: queued loopback deliveries (microtasks) have run by then. */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Let deliveries land (no clock time passes). */
export async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/** A phone on the loopback network, with what it printed. */
export interface TestPhone {
  phone: Phone;
  transport: LoopbackTransport;
  /** stdout lines, in order */
  lines: string[];
  /** stderr lines, in order */
  warnings: string[];
}

export interface ServerHarness {
  clock: FakeClock;
  net: LoopbackNetwork;
  storage: SqliteStorage;
  svc: SipService;
  udp: LoopbackTransport;
  tcp: LoopbackTransport;
  /** Every packet sent on the network, parsed lazily by the tests. */
  packets: LoopbackPacket[];
  /** A phone (not started) of `user` over `protocol`. */
  phone(
    o?: {
      user?: string;
      password?: string;
      protocol?: TransportProtocol;
      dialect?: Dialect;
      address?: string;
      serverAddress?: string;
    } & Partial<PhoneOptions>,
  ): Promise<TestPhone>;
  /**
   * Advance the fake clock by `ms` in steps of `stepMs`, letting messages
   * land after each step (timers that send wait for their answers).
   */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Set the lamp of a mailbox as a trusted source would. */
  setLamp(mailbox: string, nw: number, old: number): void;
  shutdown(): Promise<void>;
}

/** The openum SIP service with users alice and bob, listening on UDP and TCP 10.0.0.1:5060. */
export async function startServer(o: { authAlgorithms?: DigestAlgorithm[] } = {}): Promise<ServerHarness> {
  const clock = new FakeClock(T0);
  const packets: LoopbackPacket[] = [];
  const net = new LoopbackNetwork({ trace: (p) => packets.push(p) });
  const udp = new LoopbackTransport(net, { protocol: 'udp', address: SERVER_ADDRESS, port: SERVER_PORT });
  const tcp = new LoopbackTransport(net, { protocol: 'tcp', address: SERVER_ADDRESS, port: SERVER_PORT });
  await udp.start();
  await tcp.start();
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: PASSWORDS.alice!, extension: '1001', domain: DOMAIN }, T0);
  addUser(storage, { name: 'bob', password: PASSWORDS.bob!, domain: DOMAIN }, T0);
  const svc = createSipService({
    storage,
    domain: DOMAIN,
    digestSecret: Buffer.alloc(32, 7),
    authAlgorithms: o.authAlgorithms ?? ['MD5'],
    transports: new TransportLayer({ transports: [udp, tcp] }),
    clock,
    trust: [`${UM_ADDRESS}/32`],
  });
  svc.start();
  const phones: TestPhone[] = [];
  const h: ServerHarness = {
    clock,
    net,
    storage,
    svc,
    udp,
    tcp,
    packets,
    async phone(p = {}) {
      const protocol = p.protocol ?? 'udp';
      const transport = new LoopbackTransport(net, { protocol, address: p.address ?? PHONE_ADDRESS });
      const transports = new TransportLayer({ transports: [transport] });
      await transports.start();
      const lines: string[] = [];
      const warnings: string[] = [];
      const user = p.user ?? 'alice';
      const phone = new Phone({
        transports,
        server: { protocol: protocol as 'udp', address: p.serverAddress ?? SERVER_ADDRESS, port: SERVER_PORT },
        serverLabel: `${SERVER_ADDRESS}:${SERVER_PORT}`,
        user,
        password: p.password ?? PASSWORDS[user] ?? 'x',
        domain: DOMAIN,
        dialect: p.dialect ?? 'rfc3842',
        product: 'openum-phone/test',
        clock,
        delegate: { onLine: (l) => lines.push(l), onWarning: (l) => warnings.push(l) },
        ...(p.answerTimeoutMs !== undefined && { answerTimeoutMs: p.answerTimeoutMs }),
        ...(p.registerExpires !== undefined && { registerExpires: p.registerExpires }),
        ...(p.subscribeExpires !== undefined && { subscribeExpires: p.subscribeExpires }),
        ...(p.keepAliveMs !== undefined && { keepAliveMs: p.keepAliveMs }),
      });
      const tp = { phone, transport, lines, warnings };
      phones.push(tp);
      return tp;
    },
    async advance(ms, stepMs = 1000) {
      let done = 0;
      do {
        const step = Math.min(stepMs, ms - done);
        clock.advance(step);
        done += step;
        await settle(10);
      } while (done < ms);
    },
    setLamp(mailbox, nw, old) {
      svc.mwi.update({ mailbox, source: 'test', counts: { new: nw, old, urgentNew: 0, urgentOld: 0 } });
    },
    async shutdown() {
      for (const p of phones) {
        const done = p.phone.stop(1000);
        clock.advance(1000);
        await done;
        await p.transport.stop();
      }
      svc.stop();
      svc.core.close();
      await udp.stop();
      await tcp.stop();
      storage.close();
    },
  };
  return h;
}

/** The SIP text of a packet (for the start line and headers). */
export const text = (p: LoopbackPacket): string => p.data.toString('latin1');

/** Packets whose first line starts with `start` (e.g. 'REGISTER ', 'SIP/2.0 401'). */
export function sent(h: ServerHarness, start: string, from?: string): LoopbackPacket[] {
  return h.packets.filter((p) => text(p).startsWith(start) && (from === undefined || p.from.address === from));
}

/** Wait (event-loop turns, no clock time) until `cond` holds; throws with `what` when it never does. */
export async function until(cond: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await turn();
  }
  throw new Error(`timed out waiting for ${what}`);
}
