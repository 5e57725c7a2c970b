/**
 * The receiver of bench:vm: a tiny SIP/RTP "phone" in its own process that
 * places a few deposit calls to openum while SIPp loads it, and measures the
 * time between consecutive RTP packets of openum's outgoing stream (the
 * greeting, then the beep and silence) as they arrive, so that the pacing is
 * judged by a receiver, not by the sender.
 *
 * Raw SIP over UDP (as test/scenario/voicemail-refusals.test.ts), from a
 * trusted address so no digest: INVITE (PCMA + telephone-event, ptime 20),
 * ACK, then PCMA silence every 20 ms from the call's RTP socket (so that
 * openum latches and its RTP timeout never fires), BYE after `listenMs`.
 * One timer for all calls; a request from openum (BYE, INFO) gets a 200.
 *
 *   node dist/bench/vm/probe-phone.js '{"target":"127.0.0.1:5060",...}'
 *
 * Prints one JSON line {@link ProbeReport} on stdout and exits.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface ProbeConfig {
  /** openum's SIP address host:port */
  target: string;
  domain: string;
  mailbox: string;
  calls: number;
  /** the call starts are spread over this many ms */
  spreadMs: number;
  /** each call lasts this long after the 200 */
  listenMs: number;
  /** the whole run is bounded by this */
  deadlineMs: number;
  /** call i takes RTP port rtpBase + 2i (a capture filters on them); 0: any free port */
  rtpBase?: number;
}

export interface ProbeReport {
  calls: number;
  answered: number;
  /** final statuses other than 200, e.g. "503 x3" */
  refused: string[];
  packets: number;
  /** RTP packets the probe sent (openum counts them as received) */
  sent: number;
  /** packets whose payload is not all one byte (audio rather than G.711 silence) */
  audioPackets: number;
  /** sequence-number gaps: packets openum sent that never came */
  lost: number;
  intervals: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** |interval - ptime|, the jitter of the sender as the receiver sees it: p99 */
  jitterP99Ms: number;
  /** the ptime openum was asked for */
  ptimeMs: number;
  cpuS: number;
}

const PTIME = 20;
const BIN_MS = 0.1;
const BINS = 5001;

interface Call {
  id: string;
  tag: string;
  rtp: Socket;
  rtpPort: number;
  remoteRtp?: { address: string; port: number };
  toTag?: string;
  answered: boolean;
  final?: number;
  last: number;
  lastSeq: number;
  seq: number;
  ts: number;
  ssrc: number;
}

function percentile(h: Uint32Array, total: number, p: number): number {
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] as number;
    if (seen >= total * p) return i * BIN_MS;
  }
  return Number.NaN;
}

async function bind(s: Socket, port = 0): Promise<number> {
  await new Promise<void>((r) => s.bind(port, '127.0.0.1', r));
  return s.address().port;
}

async function run(c: ProbeConfig): Promise<ProbeReport> {
  const cpu0 = process.cpuUsage();
  const [host = '127.0.0.1', portText = '5060'] = c.target.split(':');
  const port = Number(portText);
  const sip = createSocket('udp4');
  const sipPort = await bind(sip);
  const calls = new Map<string, Call>();
  const hist = new Uint32Array(BINS);
  const jitter = new Uint32Array(BINS);
  let intervals = 0;
  let packets = 0;
  let sentPackets = 0;
  let audioPackets = 0;
  let lost = 0;
  let maxMs = 0;
  const send = (text: string): void => {
    sip.send(Buffer.from(text), port, host);
  };
  const headers = (call: Call, method: string, cseq: number, branch: string): string =>
    `Via: SIP/2.0/UDP 127.0.0.1:${sipPort};branch=${branch};rport\r\nMax-Forwards: 70\r\n` +
    `From: "probe" <sip:2003@127.0.0.1>;tag=${call.tag}\r\n` +
    `To: <sip:${c.mailbox}@${c.domain}>${call.toTag ? `;tag=${call.toTag}` : ''}\r\n` +
    `Call-ID: ${call.id}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:2003@127.0.0.1:${sipPort}>\r\n`;
  const ruri = `sip:voicemail@${c.domain};target=sip:${c.mailbox}%40${c.domain};cause=486`;

  sip.on('message', (m) => {
    const text = m.toString('utf8');
    const callId = /^Call-ID:\s*(\S+)/im.exec(text)?.[1] ?? '';
    const call = calls.get(callId);
    if (!text.startsWith('SIP/2.0')) {
      // a request from openum: answer 200 with its own Via/From/To/Call-ID/CSeq
      const keep = text
        .split('\r\n')
        .filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
        .join('\r\n');
      sip.send(Buffer.from(`SIP/2.0 200 OK\r\n${keep}\r\nContent-Length: 0\r\n\r\n`), port, host);
      return;
    }
    if (!call) return;
    const status = Number(text.slice(8, 11));
    const cseq = /^CSeq:\s*\d+\s+(\w+)/im.exec(text)?.[1];
    if (cseq !== 'INVITE' || status < 200 || call.final !== undefined) return;
    call.final = status;
    call.toTag = /^To:.*;tag=([^;\s]+)/im.exec(text)?.[1];
    const ack = `ACK ${ruri} SIP/2.0\r\n${headers(call, 'ACK', 1, `z9hG4bKpa${call.tag}`)}Content-Length: 0\r\n\r\n`;
    send(ack);
    if (status !== 200) return;
    call.answered = true;
    const ip = /^c=IN IP4 (\S+)/m.exec(text)?.[1] ?? '127.0.0.1';
    const rp = Number(/^m=audio (\d+)/m.exec(text)?.[1]);
    call.remoteRtp = { address: ip, port: rp };
  });

  const silence = Buffer.alloc(12 + PTIME * 8, 0xd5);
  const tick = setInterval(() => {
    for (const call of calls.values()) {
      if (!call.remoteRtp || !call.answered) continue;
      silence[0] = 0x80;
      silence[1] = 8;
      silence.writeUInt16BE(call.seq & 0xffff, 2);
      silence.writeUInt32BE(call.ts >>> 0, 4);
      silence.writeUInt32BE(call.ssrc, 8);
      call.seq++;
      call.ts += PTIME * 8;
      call.rtp.send(silence, call.remoteRtp.port, call.remoteRtp.address);
      sentPackets++;
    }
  }, PTIME);

  const started: Promise<void>[] = [];
  for (let i = 0; i < c.calls; i++) {
    started.push(
      (async () => {
        await new Promise((r) => setTimeout(r, (c.spreadMs * i) / Math.max(1, c.calls)));
        const rtp = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
        const rtpPort = await bind(rtp, c.rtpBase ? c.rtpBase + 2 * i : 0);
        const call: Call = {
          id: `probe-${process.pid}-${i}`,
          tag: `p${i}x${process.pid}`,
          rtp,
          rtpPort,
          answered: false,
          last: -1,
          lastSeq: -1,
          seq: i * 1000,
          ts: i * 100_000,
          ssrc: 0x50000000 + i,
        };
        rtp.on('message', (m) => {
          const t = performance.now();
          const pt = (m[1] as number) & 0x7f;
          if (pt >= 72 && pt <= 95) return; // RTCP (RFC 5761 section 4)
          if (pt !== 8) return; // telephone-event or other: not the audio stream
          packets++;
          let flat = true;
          for (let k = 13; k < m.length; k++) if (m[k] !== m[12]) flat = false;
          if (!flat) audioPackets++;
          const seq = m.readUInt16BE(2);
          if (call.lastSeq >= 0) {
            const gap = (seq - call.lastSeq) & 0xffff;
            if (gap > 1 && gap < 1000) lost += gap - 1;
          }
          call.lastSeq = seq;
          if (call.last >= 0) {
            const d = t - call.last;
            if (d > maxMs) maxMs = d;
            const bin = Math.min(BINS - 1, Math.round(d / BIN_MS));
            hist[bin] = (hist[bin] as number) + 1;
            const jbin = Math.min(BINS - 1, Math.round(Math.abs(d - PTIME) / BIN_MS));
            jitter[jbin] = (jitter[jbin] as number) + 1;
            intervals++;
          }
          call.last = t;
        });
        calls.set(call.id, call);
        const sdp =
          `v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n` +
          `m=audio ${rtpPort} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n` +
          `a=fmtp:101 0-15\r\na=ptime:${PTIME}\r\n`;
        const invite =
          `INVITE ${ruri} SIP/2.0\r\n${headers(call, 'INVITE', 1, `z9hG4bKpi${call.tag}`)}` +
          `Content-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`;
        // retransmit as a UAC would (RFC 3261 17.1.1.2, T1 = 500 ms) until a final response
        for (let wait = 500; call.final === undefined && wait <= 4000; wait *= 2) {
          send(invite);
          const until = performance.now() + wait;
          while (call.final === undefined && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
        }
        if (!call.answered) return;
        await new Promise((r) => setTimeout(r, c.listenMs));
        call.answered = false; // stop our silence
        send(`BYE ${ruri} SIP/2.0\r\n${headers(call, 'BYE', 2, `z9hG4bKpb${call.tag}`)}Content-Length: 0\r\n\r\n`);
        await new Promise((r) => setTimeout(r, 300));
      })(),
    );
  }
  const deadline = new Promise((r) => setTimeout(r, c.deadlineMs).unref());
  await Promise.race([Promise.all(started), deadline]);
  clearInterval(tick);
  const all = [...calls.values()];
  for (const call of all) call.rtp.close();
  sip.close();
  const refusedCounts = new Map<string, number>();
  for (const call of all) {
    if (call.final === 200) continue;
    const k = String(call.final ?? 'no answer');
    refusedCounts.set(k, (refusedCounts.get(k) ?? 0) + 1);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    calls: c.calls,
    answered: all.filter((x) => x.final === 200).length,
    refused: [...refusedCounts].map(([k, v]) => `${k} x${v}`),
    packets,
    sent: sentPackets,
    audioPackets,
    lost,
    intervals,
    p50Ms: percentile(hist, intervals, 0.5),
    p99Ms: percentile(hist, intervals, 0.99),
    p999Ms: percentile(hist, intervals, 0.999),
    maxMs,
    jitterP99Ms: percentile(jitter, intervals, 0.99),
    ptimeMs: PTIME,
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

const config = JSON.parse(process.argv[2] ?? '{}') as ProbeConfig;
run(config).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
  },
  (e: unknown) => {
    process.stderr.write(`probe-phone: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
