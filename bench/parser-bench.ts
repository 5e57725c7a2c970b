/**
 * Parser benchmark: openum's SIP parser+serializer against sip.js 0.21.2's
 * parser and Node's llhttp, side by side, interleaved in rounds in one
 * process so that machine noise hits every contender alike.
 *
 * What is measured, per message (all inputs are Buffers, as from a socket):
 * - openum: `parseMessage(buf)` (start line, all header fields split and
 *   unfolded, eager validation of Request-URI, Via, From, To, Call-ID,
 *   CSeq, Max-Forwards, Content-Length, body copied) then
 *   `serializeMessage(msg)` to a new Buffer.
 * - sip.js: `Parser.parseMessage(buf.toString(), logger)` (its grammar parses
 *   the start line, Via, From, To, Call-ID, CSeq, Contact, Content-Length,
 *   Max-Forwards...) then `msg.toString()`, which in sip.js returns the
 *   received text: sip.js has no re-serializer of incoming messages.
 * - llhttp: `HTTPParser.execute(buf)` of an HTTP/1.1 request with the same
 *   header fields (same count, same values, hence about the same size),
 *   headers delivered to JS as strings, then a re-serialization of those
 *   headers into a new Buffer (the same work openum's serializer does).
 *
 * Rates are messages per CPU-second of this process.
 *
 * Run: `node dist/bench/parser-bench.js [seconds]`
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { LoggerFactory, Parser } from 'sip.js/lib/core/index.js';
import { parseMessage, serializeMessage } from '../src/sip/message/index.js';

/** A typical REGISTER: digest Authorization, Contact with +sip.instance (RFC 5626). */
export const REGISTER = Buffer.from(
  [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1928301774',
    'To: <sip:alice@example.com>',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 314159 REGISTER',
    'Contact: <sip:alice@192.0.2.10:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";expires=3600',
    'Authorization: Digest username="alice", realm="example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:example.com", response="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", qop=auth, nc=00000001',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);

const SUMMARY = 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 2/8 (0/2)\r\n';

/** A typical NOTIFY of message-summary (RFC 3842) in a subscription dialog. */
export const NOTIFY = Buffer.from(
  [
    'NOTIFY sip:alice@192.0.2.10:5060;transport=udp SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK4b43c2ff8.1',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=4fa3',
    'To: <sip:alice@example.com>;tag=1928301774',
    'Call-ID: 7a9c3b1d2e@192.0.2.1',
    'CSeq: 20 NOTIFY',
    'Contact: <sip:openum@192.0.2.1:5060;transport=udp>',
    'Event: message-summary',
    'Subscription-State: active;expires=3599',
    'Content-Type: application/simple-message-summary',
    `Content-Length: ${Buffer.byteLength(SUMMARY)}`,
    '',
    SUMMARY,
  ].join('\r\n'),
);

/** The HTTP/1.1 twin of a SIP message: same header fields and body, HTTP start line. */
function httpTwin(sip: Buffer): Buffer {
  const text = sip.toString('latin1');
  const firstEnd = text.indexOf('\r\n');
  const start = text.slice(0, firstEnd);
  const path = '/' + (start.split(' ')[1] ?? '').replace(/[^A-Za-z0-9.@=;_-]/g, '_');
  return Buffer.from(`POST ${path} HTTP/1.1` + text.slice(firstEnd), 'latin1');
}

export const REGISTER_HTTP = httpTwin(REGISTER);
export const NOTIFY_HTTP = httpTwin(NOTIFY);

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
interface LlhttpModule {
  HTTPParser: {
    new (): LlhttpParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
}

/** One contender: consumes a message, returns something that must not be optimised away. */
type Work = (data: Buffer) => number;

function openumWork(data: Buffer): number {
  return serializeMessage(parseMessage(data)).length;
}

function makeSipJsWork(): Work {
  const factory = new LoggerFactory();
  factory.builtinEnabled = false;
  const logger = factory.getLogger('bench');
  return (data) => {
    const m = Parser.parseMessage(data.toString(), logger);
    if (m === undefined) throw new Error('sip.js failed to parse the benchmark message');
    return m.toString().length;
  };
}

function makeLlhttpWork(): Work {
  const { HTTPParser } = createRequire(import.meta.url)('_http_common') as LlhttpModule;
  const parser = new HTTPParser();
  let headers: string[] = [];
  let body = 0;
  parser[HTTPParser.kOnHeadersComplete] = (_maj: number, _min: number, h: string[]) => {
    headers = h;
    return 0;
  };
  parser[HTTPParser.kOnHeaders] = () => undefined;
  parser[HTTPParser.kOnBody] = (b: Buffer) => {
    body = b.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => undefined;
  parser[HTTPParser.kOnExecute] = () => undefined;
  return (data) => {
    parser.initialize(HTTPParser.REQUEST, {});
    const r = parser.execute(data);
    if (r instanceof Error) throw r;
    let s = 'POST / HTTP/1.1\r\n';
    for (let i = 0; i + 1 < headers.length; i += 2) s += headers[i] + ': ' + headers[i + 1] + '\r\n';
    return Buffer.from(s + '\r\n').length + body;
  };
}

export interface ContenderResult {
  name: string;
  /** messages per second over the whole run */
  rate: number;
  /** rate over the first third of the rounds */
  firstThird: number;
  /** rate over the last third of the rounds */
  lastThird: number;
}

export interface ParserBenchResult {
  register: ContenderResult[];
  notify: ContenderResult[];
  /** openum / sip.js, per message */
  ratioOverSipJs: { register: number; notify: number };
  /** llhttp / openum, per message (target: <= 3) */
  llhttpOverOpenum: { register: number; notify: number };
  rounds: number;
  seconds: number;
}

interface Lane {
  name: string;
  work: Work;
  data: Buffer;
  counts: number[];
  times: number[];
}

let sink = 0;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `lane` for about `ms` milliseconds of wall time; records the count
 * and the CPU time of this process (so that other processes competing for
 * the CPU do not count against whichever contender happens to be running).
 */
function runSlice(lane: Lane, ms: number): void {
  const { work, data } = lane;
  let n = 0;
  let batch = 1;
  const t0 = performance.now();
  const c0 = cpuMs();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < batch; i++) sink += work(data);
    n += batch;
    if (batch < 256) batch *= 2;
  }
  lane.counts.push(n);
  lane.times.push(cpuMs() - c0);
}

function rate(lane: Lane, from: number, to: number): number {
  let n = 0;
  let ms = 0;
  for (let i = from; i < to; i++) {
    n += lane.counts[i] ?? 0;
    ms += lane.times[i] ?? 0;
  }
  return ms === 0 ? 0 : (n * 1000) / ms;
}

function summarize(lane: Lane, rounds: number): ContenderResult {
  const third = Math.max(1, Math.floor(rounds / 3));
  return {
    name: lane.name,
    rate: rate(lane, 0, rounds),
    firstThird: rate(lane, 0, third),
    lastThird: rate(lane, rounds - third, rounds),
  };
}

/**
 * Measures openum, sip.js and llhttp on a REGISTER and a NOTIFY, in
 * interleaved rounds (order rotated each round) for about `seconds`.
 */
export async function runParserBench(opts?: { seconds?: number }): Promise<ParserBenchResult> {
  const seconds = opts?.seconds ?? 12;
  const sipjs = makeSipJsWork();
  const llhttp = makeLlhttpWork();
  const lanes: Lane[] = [
    { name: 'openum', work: openumWork, data: REGISTER, counts: [], times: [] },
    { name: 'sip.js', work: sipjs, data: REGISTER, counts: [], times: [] },
    { name: 'llhttp', work: llhttp, data: REGISTER_HTTP, counts: [], times: [] },
    { name: 'openum', work: openumWork, data: NOTIFY, counts: [], times: [] },
    { name: 'sip.js', work: sipjs, data: NOTIFY, counts: [], times: [] },
    { name: 'llhttp', work: llhttp, data: NOTIFY_HTTP, counts: [], times: [] },
  ];
  // warm-up, so that the first rounds do not measure the JIT (also checks every contender works on its input)
  for (let r = 0; r < 3; r++) {
    for (const lane of lanes) {
      const t0 = performance.now();
      while (performance.now() - t0 < 60) for (let i = 0; i < 16; i++) sink += lane.work(lane.data);
    }
  }
  const sliceMs = 25;
  const rounds = Math.max(3, Math.round((seconds * 1000) / (sliceMs * lanes.length)));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < lanes.length; k++) runSlice(lanes[(k + r) % lanes.length] as Lane, sliceMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const res = lanes.map((l) => summarize(l, rounds));
  const [oR, sR, lR, oN, sN, lN] = res as [
    ContenderResult,
    ContenderResult,
    ContenderResult,
    ContenderResult,
    ContenderResult,
    ContenderResult,
  ];
  return {
    register: [oR, sR, lR],
    notify: [oN, sN, lN],
    ratioOverSipJs: { register: oR.rate / sR.rate, notify: oN.rate / sN.rate },
    llhttpOverOpenum: { register: lR.rate / oR.rate, notify: lN.rate / oN.rate },
    rounds,
    seconds,
  };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(11);
}

/** The result as a text table. */
export function formatParserBench(r: ParserBenchResult): string {
  const lines = [
    `parser benchmark: ${r.rounds} interleaved rounds, ~${r.seconds}s; REGISTER ${REGISTER.length} B, NOTIFY ${NOTIFY.length} B` +
      ` (HTTP twins ${REGISTER_HTTP.length} B / ${NOTIFY_HTTP.length} B)`,
    'message   contender      msgs/s  first 1/3   last 1/3',
  ];
  for (const [label, rows] of [
    ['REGISTER', r.register],
    ['NOTIFY', r.notify],
  ] as const) {
    for (const c of rows)
      lines.push(`${label.padEnd(9)} ${c.name.padEnd(8)}${fmt(c.rate)}${fmt(c.firstThird)}${fmt(c.lastThird)}`);
  }
  lines.push(
    `openum / sip.js : REGISTER ${r.ratioOverSipJs.register.toFixed(0)}x, NOTIFY ${r.ratioOverSipJs.notify.toFixed(0)}x (target >= 100x)`,
    `llhttp / openum : REGISTER ${r.llhttpOverOpenum.register.toFixed(2)}, NOTIFY ${r.llhttpOverOpenum.notify.toFixed(2)} (target <= 3)`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 12);
  const result = await runParserBench({ seconds });
  console.log(formatParserBench(result));
  if (sink === -1) console.log(sink);
}
