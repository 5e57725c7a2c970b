/**
 * What a receiver keeps about one source (SSRC) it hears, RFC 3550:
 * sequence validation (appendix A.1), loss (appendix A.3), interarrival
 * jitter (section 6.4.1, appendix A.8) and the last sender report
 * (LSR/DLSR, section 6.4.1), i.e. what one RTCP report block says.
 */

/** Appendix A.1: a jump forward of up to MAX_DROPOUT packets is loss, not a restart. */
export const MAX_DROPOUT = 3000;
/** Appendix A.1: up to MAX_MISORDER packets back is a late or duplicate packet. */
export const MAX_MISORDER = 100;
const RTP_SEQ_MOD = 0x10000;
const TWO_32 = 0x1_0000_0000;

/** What {@link RtpSource.update} made of a sequence number. */
export const enum SeqVerdict {
  /** In order, possibly after a gap (loss). */
  InOrder,
  /** Within MAX_MISORDER behind the highest: reordered or duplicated; still usable (A.1 counts it). */
  Late,
  /** A jump: dropped, unless the next packet continues it (then the source restarts, A.1). */
  Bad,
}

/** One report block's worth of state about one SSRC. */
export class RtpSource {
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  /** Packets received (A.1 counts duplicates too, so loss may come out negative; A.3). */
  received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** A.8: relative transit time of the last audio packet, in timestamp units; NaN before the first. */
  private transit = Number.NaN;
  /** A.8: interarrival jitter estimate, in timestamp units. */
  jitter = 0;
  /** Middle 32 bits of the NTP timestamp of the last SR from this source, and when it arrived (ms). */
  private lastSr = 0;
  private lastSrAtMs = Number.NaN;
  /** Whether a packet came since the last report (only those sources get a report block, section 6.4). */
  heard = false;

  /** Starts as A.1 `init_seq` with the first packet counted: the latch already did the probation. */
  constructor(
    readonly ssrc: number,
    seq: number,
  ) {
    this.init(seq);
    this.received = 1;
    this.heard = true;
  }

  private init(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    this.transit = Number.NaN;
  }

  /** A.1 `update_seq` (without the probation part). */
  update(seq: number): SeqVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    let verdict = SeqVerdict.InOrder;
    if (udelta === 0) {
      verdict = SeqVerdict.Late; // a duplicate of the highest: A.1 counts it as received, so do we
    } else if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return SeqVerdict.Bad;
      }
      this.init(seq); // two in sequence after a jump: the source restarted
    } else {
      verdict = SeqVerdict.Late;
    }
    this.received++;
    this.heard = true;
    return verdict;
  }

  /** A.8: one audio packet stamped `timestamp` arrived at `arrivalMs` (clock rate 8000 Hz). */
  arrived(timestamp: number, arrivalMs: number): void {
    const transit = arrivalMs * 8 - timestamp;
    const last = this.transit;
    this.transit = transit;
    if (Number.isNaN(last)) return;
    let d = transit - last;
    if (d > TWO_32 / 2) d -= TWO_32;
    else if (d < -TWO_32 / 2) d += TWO_32; // the timestamp wrapped
    if (d < 0) d = -d;
    this.jitter += (d - this.jitter) / 16;
  }

  /** Section 6.4.1: a sender report from this source, its NTP timestamp's middle 32 bits. */
  senderReport(ntpMiddle: number, arrivalMs: number): void {
    this.lastSr = ntpMiddle >>> 0;
    this.lastSrAtMs = arrivalMs;
  }

  /** Section 6.4.1 / A.3: packets lost in all, clamped to the 24-bit signed field. */
  get cumulativeLost(): number {
    const lost = this.expected() - this.received;
    return Math.max(-0x800000, Math.min(0x7fffff, lost));
  }

  /** Extended highest sequence number received (cycles in the top 16 bits). */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  private expected(): number {
    return this.extendedMax - this.baseSeq + 1;
  }

  /**
   * Write this source's 24-byte report block (section 6.4.1) at `b[at]` as
   * of `nowMs`, and start the next interval (A.3 `expected_prior`).
   */
  writeReportBlock(b: Uint8Array, at: number, nowMs: number): void {
    const expected = this.expected();
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const cumulative = this.cumulativeLost & 0xffffff;
    const dlsr = Number.isNaN(this.lastSrAtMs) ? 0 : Math.round(((nowMs - this.lastSrAtMs) * 65536) / 1000);
    put32(b, at, this.ssrc);
    put32(b, at + 4, ((Math.min(fraction, 255) << 24) | cumulative) >>> 0);
    put32(b, at + 8, this.extendedMax % TWO_32);
    put32(b, at + 12, Math.floor(this.jitter));
    put32(b, at + 16, Number.isNaN(this.lastSrAtMs) ? 0 : this.lastSr);
    put32(b, at + 20, Math.min(dlsr, 0xffffffff));
    this.heard = false;
  }
}

/** Big-endian 32-bit write (network order, RFC 3550 section 4). */
export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
