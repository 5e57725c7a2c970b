/**
 * The RTP session of one call (RFC 3550): what it receives goes to the
 * recorder and the DTMF receiver, what it plays goes out through an
 * {@link RtpSender} paced by the shared {@link PlayoutClock}, and it sends
 * RTCP reports.
 *
 * Receiving, in order: the RTP header is checked (version 2, layout; RFC
 * 3550 section 5.1, appendix A.1), RTCP on a multiplexed port is told apart
 * by its second byte (RFC 5761 section 4); the payload type must be the
 * negotiated audio one, the telephone-event one (RFC 4733), or comfort noise
 * (13, RFC 3389: counted and ignored; we do not offer it, but it
 * arrives anyway); the source must pass the {@link RtpLatch} (RFC 7362,
 * probation); the sequence number must pass appendix A.1 per SSRC
 * (MAX_DROPOUT, MAX_MISORDER; late and duplicate packets are passed on and
 * counted: the recorder places by timestamp). Everything refused is
 * counted by reason, nothing throws.
 *
 * We send to the latched source from the socket we receive on (symmetric
 * RTP, RFC 4961), else to the SDP's address; not at all while the peer
 * holds us (c=0.0.0.0, RFC 3264 section 8.4, or a direction that does not
 * let us send). No RTP for `rtpTimeoutMs` while the peer should be sending
 * (sendrecv and an address; not on hold, where it may legitimately be
 * silent) fires `onTimeout` once. Every {@link RTCP_INTERVAL_MS} (randomised
 * by 0.5-1.5, RFC 3550 section 6.3.1) an SR or RR with SDES CNAME goes to
 * the RTCP port (section 6.4; the RTP port with rtcp-mux, RFC 5761).
 */
import type { RemoteInfo } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { DtmfReceiver, type DigitListener } from './dtmf-receiver.js';
import type { PlayoutClock, HousekeepingTask } from './playout-clock.js';
import type { RtpPorts } from './port-pool.js';
import { readRtcp, reportSize, writeReport, MAX_REPORT_BLOCKS } from './rtcp.js';
import { canonicalIp, LatchVerdict, RtpLatch } from './rtp-latch.js';
import { readRtp, rtpHeader } from './rtp-packet.js';
import { RtpSender, type IdleMode, type PlayResult } from './rtp-sender.js';
import {
  dropCounts,
  receiveCounters,
  type DropCounts,
  type ReceiveCounters,
  type RtpSessionStats,
} from './rtp-stats.js';
import { RtpSource, SeqVerdict } from './rtp-source.js';
import type { NegotiatedAudio } from './sdp-negotiation.js';

/** RFC 3550 section 6.2: the minimum report interval, 5 s. */
export const RTCP_INTERVAL_MS = 5000;
/** No RTP for this long while the peer should send: the call is dead (Asterisk's rtptimeout, 30-60 s). */
export const DEFAULT_RTP_TIMEOUT_MS = 30_000;
/** RFC 3389 comfort noise. */
const PT_CN = 13;

/** Where audio payloads go (a Recorder's `push`). The bytes are only valid during the call: copy what you keep. */
export type AudioSink = (
  payload: Uint8Array,
  offset: number,
  length: number,
  timestamp: number,
  ssrc: number,
  arrivalMs: number,
) => void;

export interface RtpSessionOptions {
  ports: RtpPorts;
  audio: NegotiatedAudio;
  playout: PlayoutClock;
  /** Default {@link DEFAULT_RTP_TIMEOUT_MS}. */
  rtpTimeoutMs?: number;
  /** What to send between prompts (see {@link RtpSender}); default 'keepalive'. */
  idle?: IdleMode;
}

export class RtpSession implements HousekeepingTask {
  /** Where audio goes; set by the owner (a Recorder), undefined to discard. */
  sink: AudioSink | undefined;
  /** RFC 4733 digits, once per event. */
  onDigit: DigitListener | undefined;
  /** RTP stopped coming (fired once). */
  onTimeout: (() => void) | undefined;
  private audio: NegotiatedAudio;
  private remoteIp: string | undefined;
  private readonly ports: RtpPorts;
  private readonly playout: PlayoutClock;
  private readonly rtpTimeoutMs: number;
  private readonly h = rtpHeader();
  private readonly latch = new RtpLatch();
  private readonly sources: RtpSource[] = [];
  private readonly dtmf: DtmfReceiver;
  private readonly sender: RtpSender;
  private readonly rx: ReceiveCounters;
  private readonly dropped: DropCounts;
  private lastRtpMs: number;
  private timedOut = false;
  private closed = false;
  private nextRtcpMs: number;
  private rtcpFrom: { address: string; port: number } | undefined;
  private rtcpInFlight = false;
  private readonly rtcpBuf: Buffer;
  private readonly cname: Buffer;
  /** Packets we had sent at the last two reports (RFC 3550 section 6.4: SR if we sent since the one before). */
  private sentAtReports = [0, 0];
  private readonly onRtpMessage = (msg: Buffer, from: RemoteInfo): void => this.onRtp(msg, from);
  private readonly onRtcpMessage = (msg: Buffer, from: RemoteInfo): void => this.onRtcp(msg, from);
  private readonly onSocketError = (): void => {
    this.rx.socketErrors++; // rare on unconnected UDP sockets; counted, never thrown
  };
  private readonly onSenderReport = (ssrc: number, ntpMiddle: number): void => {
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i] as RtpSource;
      if (s.ssrc === ssrc) s.senderReport(ntpMiddle, this.playout.now());
    }
  };
  private readonly onRtcpSent = (): void => {
    this.rtcpInFlight = false;
  };

  constructor(options: RtpSessionOptions) {
    this.ports = options.ports;
    this.playout = options.playout;
    this.rtpTimeoutMs = options.rtpTimeoutMs ?? DEFAULT_RTP_TIMEOUT_MS;
    this.audio = options.audio;
    this.rx = receiveCounters();
    this.dropped = dropCounts();
    this.cname = Buffer.from(randomBytes(12).toString('base64'), 'ascii'); // RFC 7022 section 5: 96 random bits, base64
    this.rtcpBuf = Buffer.alloc(reportSize(this.cname.length));
    this.sender = new RtpSender(this.playout, this.ports.rtp, options.idle ?? 'keepalive');
    this.dtmf = new DtmfReceiver((digit, ts, ssrc) => this.onDigit?.(digit, ts, ssrc));
    const now = this.playout.now();
    this.lastRtpMs = now;
    this.nextRtcpMs = now + RTCP_INTERVAL_MS * (0.5 + Math.random());
    this.ports.rtp.on('message', this.onRtpMessage).on('error', this.onSocketError);
    this.ports.rtcp?.on('message', this.onRtcpMessage).on('error', this.onSocketError);
    this.playout.attach(this);
    this.update(options.audio);
  }

  /** Our RTP port (RTCP is the next one unless muxed). */
  get port(): number {
    return this.ports.port;
  }

  /** Our SSRC (RFC 3550 section 8.1). */
  get ssrc(): number {
    return this.sender.ssrc;
  }

  /** The source we latched onto, if any. */
  get latched(): { address: string; port: number } | undefined {
    return this.latch.address === undefined ? undefined : { address: this.latch.address, port: this.latch.port };
  }

  /**
   * A new offer/answer (re-INVITE, RFC 3264 section 8): codec, packet
   * time, remote and direction. A new remote address or port starts
   * latching again; the timeout starts again.
   */
  update(audio: NegotiatedAudio): void {
    this.audio = audio;
    this.sender.configure(audio.law, audio.payloadType, audio.ptimeMs);
    if (audio.remote && this.latch.expect(audio.remote)) {
      this.remoteIp = canonicalIp(audio.remote.address);
      this.rtcpFrom = undefined;
    }
    this.lastRtpMs = this.playout.now();
    this.route();
  }

  /** Queue 8 kHz 16-bit PCM; resolves 'done' when its last packet went out, 'stopped' if flushed first. */
  play(samples: Int16Array): Promise<PlayResult> {
    return this.sender.play(samples);
  }

  /** Flush what is queued; pending plays resolve 'stopped'. */
  stopPlayback(): void {
    this.sender.stopPlayback();
  }

  get playing(): boolean {
    return this.sender.playing;
  }

  stats(): RtpSessionStats {
    let lost = 0;
    for (const s of this.sources) lost += s.cumulativeLost;
    return { ...this.rx, lost, dropped: { ...this.dropped }, ...this.sender.stats };
  }

  /** Stop sending and receiving and give the ports back; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sender.close();
    this.playout.detach(this);
    this.ports.close();
  }

  /** Run by the playout clock every housekeeping interval: DTMF end timeout, RTP timeout, RTCP. */
  housekeeping(nowMs: number): void {
    if (this.closed) return;
    this.dtmf.tick(nowMs);
    const a = this.audio;
    const expectsMedia = a.remote !== undefined && a.direction === 'sendrecv';
    if (!this.timedOut && expectsMedia && nowMs - this.lastRtpMs >= this.rtpTimeoutMs) {
      this.timedOut = true;
      this.onTimeout?.();
    }
    if (nowMs >= this.nextRtcpMs) {
      this.nextRtcpMs = nowMs + RTCP_INTERVAL_MS * (0.5 + Math.random());
      this.sendReport(nowMs);
    }
  }

  /** Point the sender at the latched source, else the SDP's remote; nowhere on hold. */
  private route(): void {
    const a = this.audio;
    if (!a.remote || (a.direction !== 'sendrecv' && a.direction !== 'sendonly')) {
      this.sender.setDestination(undefined, 0);
    } else if (this.latch.address !== undefined) {
      this.sender.setDestination(this.latch.address, this.latch.port);
    } else {
      this.sender.setDestination(a.remote.address, a.remote.port);
    }
  }

  private onRtp(msg: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    const h = this.h;
    const why = readRtp(msg, msg.length, h);
    if (why !== undefined) {
      if (why === 'rtcp' && this.audio.rtcpMux) this.onRtcp(msg, from);
      else this.dropped[why]++;
      return;
    }
    const pt = h.payloadType;
    const a = this.audio;
    const kind = pt === a.payloadType ? 0 : pt === a.dtmfPayloadType ? 1 : pt === PT_CN ? 2 : -1;
    if (kind < 0) {
      this.dropped.payloadType++;
      return;
    }
    const learning = this.latch.address === undefined;
    const admitted = this.latch.admit(from.address, from.port, h.ssrc, h.sequence);
    if (admitted !== LatchVerdict.Accept) {
      if (admitted === LatchVerdict.Probation) this.dropped.probation++;
      else this.dropped.foreign++;
      return;
    }
    if (learning) this.route();
    let source: RtpSource | undefined;
    // indexed: for-of allocates an iterator per packet where V8 cannot prove it away
    for (let i = 0; i < this.sources.length; i++)
      if ((this.sources[i] as RtpSource).ssrc === h.ssrc) source = this.sources[i];
    if (source === undefined) {
      source = new RtpSource(h.ssrc, h.sequence);
      if (this.sources.push(source) > MAX_REPORT_BLOCKS) this.sources.shift();
    } else {
      const verdict = source.update(h.sequence);
      if (verdict === SeqVerdict.Bad) {
        this.dropped.sequence++;
        return;
      }
      if (verdict === SeqVerdict.Late) this.rx.lateOrDuplicate++;
    }
    const now = this.playout.now();
    this.playout.poll(now);
    this.rx.received++;
    this.lastRtpMs = now;
    try {
      if (kind === 0) {
        this.rx.audio++;
        source.arrived(h.timestamp, now);
        this.sink?.(msg, h.payloadOffset, h.payloadLength, h.timestamp, h.ssrc, now);
      } else if (kind === 1) {
        this.rx.dtmf++;
        this.dtmf.push(msg, h.payloadOffset, h.payloadLength, h.timestamp, h.ssrc, now);
      } else {
        this.rx.cn++;
      }
    } catch {
      this.rx.listenerErrors++;
    }
  }

  /** RTCP (RFC 3550 section 6): only from the peer's address; SRs feed LSR/DLSR, the rest is skipped. */
  private onRtcp(msg: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    const peer = this.latch.address ?? this.remoteIp;
    if (from.address !== peer || !readRtcp(msg, msg.length, this.onSenderReport)) {
      this.rx.rtcpDropped++;
      return;
    }
    this.rx.rtcpReceived++;
    const f = this.rtcpFrom;
    if (!this.audio.rtcpMux && (f === undefined || f.address !== from.address || f.port !== from.port)) {
      this.rtcpFrom = { address: from.address, port: from.port }; // symmetric RTCP, RFC 4961
    }
  }

  private rtcpDestination(): { address: string; port: number } | undefined {
    const a = this.audio;
    if (!a.remote) return undefined;
    if (a.rtcpMux) return this.latched ?? a.remote;
    if (this.rtcpFrom) return this.rtcpFrom;
    return a.remoteRtcpPort === undefined ? undefined : { address: a.remote.address, port: a.remoteRtcpPort };
  }

  private sendReport(nowMs: number): void {
    const to = this.rtcpDestination();
    if (!to || this.rtcpInFlight) return;
    const st = this.sender.stats;
    const weSent = st.sent > (this.sentAtReports[0] as number);
    this.sentAtReports = [this.sentAtReports[1] as number, st.sent];
    const info = weSent
      ? { wallMs: Date.now(), rtpTimestamp: this.sender.timestampAt(nowMs), packets: st.sent, octets: st.sentOctets }
      : undefined;
    const length = writeReport(this.rtcpBuf, this.sender.ssrc, this.cname, this.sources, nowMs, info);
    const socket = this.audio.rtcpMux ? this.ports.rtp : (this.ports.rtcp ?? this.ports.rtp);
    try {
      this.rtcpInFlight = true;
      socket.send(this.rtcpBuf, 0, length, to.port, to.address, this.onRtcpSent);
      this.rx.rtcpSent++;
    } catch {
      this.rtcpInFlight = false;
    }
  }
}
