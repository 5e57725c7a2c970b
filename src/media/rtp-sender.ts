/**
 * The sending half of a call's RTP (RFC 3550 section 5.1, RFC 3551 section
 * 4.5.14): queued 8 kHz 16-bit PCM, G.711-encoded into preallocated
 * packets, one every ptime, paced by the shared {@link PlayoutClock}.
 *
 * - Sequence number, timestamp and SSRC start random (section 5.1, section
 *   8.1); the sequence number runs on across prompts; the timestamp is a
 *   function of the clock's tick, so it advances with time across silence
 *   (section 5.1: "the sampling instant"), by ptime * 8 per packet.
 * - The marker bit is set on the first packet of a talkspurt (RFC 3551
 *   section 4.1): the first audio after silence, after nothing was sent,
 *   after a hold, after a skip forward, and on the stream's first packet.
 * - Between prompts (while a message is recorded, mostly) it sends one
 *   G.711 silence packet per {@link KEEPALIVE_MS} (`idle: 'keepalive'`,
 *   default), a steady stream of silence (`'silence'`) or nothing
 *   (`'nothing'`). Asterisk sends nothing by default, but offers
 *   `transmit_silence` because "some SIP phones and gateways hang up after
 *   a period of no RTP"; FreeSWITCH likewise has `send_silence_when_idle`.
 *   A voicemail records for minutes while it has nothing to say, and a call
 *   cut by such a media-inactivity timer is a lost message; but a full
 *   stream of silence doubles the packets of a deposit (measured: 80% of
 *   what openum sent in bench:vm, and most of its CPU in `dgram.send`). A
 *   packet a second satisfies those timers (they count seconds), and the
 *   gaps are what silence suppression looks like to the peer (RFC 3551
 *   section 4.1: the timestamp runs on, the sequence number does not skip,
 *   the next audio carries the marker). Symmetric RTP needs none of it for
 *   NAT: the peer's own stream keeps the binding that ours comes back on.
 * - On hold (no destination) queued audio still runs out in time, unsent,
 *   so a call flow waiting for a prompt's end is not stalled.
 * - After a stall, at most `maxCatchUpMs` of overdue packets go out at
 *   once; beyond that it skips forward (the timestamp jumps, the audio
 *   resumes where it was, marker set) and counts an underrun.
 *
 * Packets are built in a ring of {@link RING} preallocated buffers; a slot
 * is reused only after Node reported its send done (a queued send still
 * references the bytes), else the packet is skipped and counted.
 */
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { g711EncodeTable, G711_SILENCE, type G711Law } from './g711.js';
import { writeRtpHeader } from './rtp-packet.js';
import type { PlayoutClock, PlayoutTask } from './playout-clock.js';

export type PlayResult = 'done' | 'stopped';
export type IdleMode = 'keepalive' | 'silence' | 'nothing';

/** Packet buffers per sender. */
const RING = 8;
/** Between prompts in `'keepalive'` mode: one silence packet this often. */
export const KEEPALIVE_MS = 1000;

interface Item {
  samples: Int16Array;
  pos: number;
  resolve: (r: PlayResult) => void;
}

/** Counters of the sending side. */
export interface SenderStats {
  sent: number;
  sentOctets: number;
  /** A send failed (its callback had an error), or found every buffer still in flight. */
  sendErrors: number;
  sendSkipped: number;
  underruns: number;
}

export class RtpSender implements PlayoutTask {
  readonly ssrc: number;
  readonly stats: SenderStats = { sent: 0, sentOctets: 0, sendErrors: 0, sendSkipped: 0, underruns: 0 };
  private seq: number;
  private readonly tsOrigin: number;
  private payloadType = 0;
  private encode: Uint8Array = g711EncodeTable('PCMU');
  private silence = G711_SILENCE.PCMU;
  private ptimeTicks = 2;
  private samplesPerPacket = 160;
  private ring: Buffer[] = [];
  private slot = 0;
  private inFlight = 0;
  private address: string | undefined;
  private port = 0;
  private readonly queue: Item[] = [];
  private nextTick: number | undefined;
  private talkspurt = false;
  private resync = true;
  /** The tick of the last packet sent (keepalive spacing). */
  private lastSentTick = -Infinity;
  private closed = false;
  private readonly onSent = (e: Error | null): void => {
    this.inFlight--;
    if (e) this.stats.sendErrors++;
  };

  constructor(
    private readonly clock: PlayoutClock,
    private readonly socket: Socket,
    private idle: IdleMode = 'keepalive',
  ) {
    const r = randomBytes(10);
    this.ssrc = r.readUInt32BE(0);
    this.tsOrigin = r.readUInt32BE(4);
    this.seq = r.readUInt16BE(8);
  }

  private get keepaliveTicks(): number {
    return KEEPALIVE_MS / this.clock.tickMs;
  }

  /** Codec and packet time (RFC 3264 answer; a re-INVITE may change them mid-call). */
  configure(law: G711Law, payloadType: number, ptimeMs: number): void {
    this.payloadType = payloadType;
    this.encode = g711EncodeTable(law);
    this.silence = G711_SILENCE[law];
    this.ptimeTicks = Math.max(1, Math.round(ptimeMs / this.clock.tickMs));
    const samples = this.ptimeTicks * this.clock.tickMs * 8;
    if (samples !== this.samplesPerPacket || this.ring.length === 0) {
      this.samplesPerPacket = samples;
      const all = Buffer.alloc(RING * (12 + samples));
      this.ring = Array.from({ length: RING }, (_, i) => all.subarray(i * (12 + samples), (i + 1) * (12 + samples)));
    }
  }

  /** Where packets go (the latched source or the SDP's), or undefined on hold. */
  setDestination(address: string | undefined, port: number): void {
    this.address = address;
    this.port = port;
    this.refresh();
  }

  setIdle(idle: IdleMode): void {
    this.idle = idle;
    this.refresh();
  }

  get playing(): boolean {
    return this.queue.length > 0;
  }

  /** Queue audio; resolves 'done' once its last packet went out (or ran out on hold), 'stopped' if flushed. */
  play(samples: Int16Array): Promise<PlayResult> {
    if (this.closed) return Promise.resolve('stopped');
    if (samples.length === 0) return Promise.resolve('done');
    return new Promise((resolve) => {
      this.queue.push({ samples, pos: 0, resolve });
      this.refresh();
    });
  }

  /** Flush the queue; everything pending resolves 'stopped'. */
  stopPlayback(): void {
    for (const item of this.queue.splice(0)) item.resolve('stopped');
    this.refresh();
  }

  close(): void {
    this.stopPlayback();
    this.closed = true;
    this.refresh();
  }

  /** Our RTP timestamp for the instant `nowMs` of the playout clock (for an SR, RFC 3550 section 6.4.1). */
  timestampAt(nowMs: number): number {
    return (this.tsOrigin + Math.round((nowMs - this.clock.origin) * 8)) >>> 0;
  }

  playoutTick(tick: number): void {
    let k = this.nextTick;
    if (k === undefined) return;
    const oldest = tick - this.clock.maxCatchUpTicks + 1;
    if (k < oldest) {
      k += Math.ceil((oldest - k) / this.ptimeTicks) * this.ptimeTicks;
      this.stats.underruns++;
      this.clock.countUnderrun();
      this.resync = true;
    }
    for (; k <= tick; k += this.ptimeTicks) {
      if (!this.sendAt(k)) return;
    }
    this.nextTick = k;
  }

  /** Send (or let run out, on hold) the packet of tick `k`; false when the sender went idle. */
  private sendAt(k: number): boolean {
    if (this.queue.length === 0 && (this.idle === 'nothing' || this.address === undefined || this.closed)) {
      this.nextTick = undefined;
      this.clock.deactivate(this);
      this.talkspurt = false;
      return false;
    }
    const n = this.samplesPerPacket;
    if (this.address === undefined) {
      this.fill(undefined, n);
      this.talkspurt = false;
      return true;
    }
    if (this.queue.length === 0 && this.idle === 'keepalive' && k - this.lastSentTick < this.keepaliveTicks) {
      this.talkspurt = false; // a gap: the next audio starts a talkspurt
      return true;
    }
    if (this.inFlight >= RING) {
      this.fill(undefined, n); // every buffer is still queued in Node: this packet is lost, as on the wire
      this.seq = (this.seq + 1) & 0xffff;
      this.stats.sendSkipped++;
      return true;
    }
    const b = this.ring[this.slot] as Buffer;
    const audio = this.fill(b, n);
    const marker = this.resync || (audio && !this.talkspurt);
    this.talkspurt = audio;
    this.resync = false;
    writeRtpHeader(b, marker, this.payloadType, this.seq, (this.tsOrigin + k * this.clock.tickMs * 8) >>> 0, this.ssrc);
    this.seq = (this.seq + 1) & 0xffff;
    this.slot = (this.slot + 1) % RING;
    this.lastSentTick = k;
    this.inFlight++;
    try {
      this.socket.send(b, this.port, this.address, this.onSent);
      this.stats.sent++;
      this.stats.sentOctets += n;
    } catch {
      this.inFlight--; // the socket is closed
      this.stats.sendErrors++;
    }
    return true;
  }

  /** Take `n` samples off the queue into `b` after the header (G.711 by table), silence after; true if any audio. */
  private fill(b: Buffer | undefined, n: number): boolean {
    const table = this.encode;
    let i = 0;
    while (i < n) {
      const item = this.queue[0];
      if (!item) break;
      const take = Math.min(n - i, item.samples.length - item.pos);
      if (b) {
        const s = item.samples;
        for (let j = 0, p = item.pos; j < take; j++, p++) b[12 + i + j] = table[(s[p] as number) + 32768] as number;
      }
      i += take;
      item.pos += take;
      if (item.pos >= item.samples.length) {
        this.queue.shift();
        item.resolve('done');
      }
    }
    if (b && i < n) b.fill(this.silence, 12 + i, 12 + n);
    return i > 0;
  }

  /** Be driven by the clock exactly while there is something to send or run out. */
  private refresh(): void {
    const want = !this.closed && (this.queue.length > 0 || (this.idle !== 'nothing' && this.address !== undefined));
    if (want && this.nextTick === undefined) {
      this.nextTick = this.clock.activate(this);
    } else if (!want && this.nextTick !== undefined) {
      this.clock.deactivate(this);
      this.nextTick = undefined;
      this.talkspurt = false;
    }
  }
}
