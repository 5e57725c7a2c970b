/**
 * RTCP as a voicemail needs it (RFC 3550 section 6): the compound packet we
 * send (section 6.1: a report first, then SDES with a CNAME) and the one
 * thing we read from the peer's reports, the sender report's NTP timestamp
 * (for LSR/DLSR, section 6.4.1). Every other RTCP packet is skipped.
 */
import { put32, type RtpSource } from './rtp-source.js';

/** Section 12.1 packet types. */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
/** Section 6.5.1: the CNAME item. */
const SDES_CNAME = 1;
/** Report blocks per packet: the 5-bit count allows 31, a voicemail call has one or two sources. */
export const MAX_REPORT_BLOCKS = 4;
/** Seconds from 1900 (NTP era 0) to 1970 (section 4). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** What an SR says about us as a sender (section 6.4.1). */
export interface SenderInfo {
  /** Wall clock now, ms since 1970. */
  wallMs: number;
  /** Our RTP timestamp for that same instant. */
  rtpTimestamp: number;
  packets: number;
  octets: number;
}

/** Bytes {@link writeReport} needs at most for a CNAME of `cnameLength` bytes. */
export function reportSize(cnameLength: number): number {
  return 28 + 24 * MAX_REPORT_BLOCKS + 8 + ((2 + cnameLength + 4) & ~3);
}

/**
 * Write a compound RTCP packet at `b[0]`: an SR (section 6.4.1) when
 * `sender` is given, else an RR (section 6.4.2), with one report block per
 * source heard since the last report (at most {@link MAX_REPORT_BLOCKS}),
 * then an SDES packet (section 6.5) carrying our CNAME. Returns its length.
 */
export function writeReport(
  b: Uint8Array,
  ssrc: number,
  cname: Uint8Array,
  sources: readonly RtpSource[],
  nowMs: number,
  sender: SenderInfo | undefined,
): number {
  let at = sender ? 28 : 8;
  let count = 0;
  for (const s of sources) {
    if (!s.heard || count === MAX_REPORT_BLOCKS) continue;
    s.writeReportBlock(b, at, nowMs);
    at += 24;
    count++;
  }
  b[0] = 0x80 | count; // V=2, P=0, RC
  b[1] = sender ? RTCP_SR : RTCP_RR;
  put16(b, 2, at / 4 - 1); // length in 32-bit words minus one (section 6.4.1)
  put32(b, 4, ssrc);
  if (sender) {
    const seconds = sender.wallMs / 1000 + NTP_UNIX_OFFSET_S;
    const whole = Math.floor(seconds);
    put32(b, 8, whole % 0x1_0000_0000);
    put32(b, 12, Math.floor((seconds - whole) * 0x1_0000_0000));
    put32(b, 16, sender.rtpTimestamp >>> 0);
    put32(b, 20, sender.packets >>> 0);
    put32(b, 24, sender.octets >>> 0);
  }
  // SDES: one chunk (our SSRC, CNAME, then the null item list end, padded to 32 bits; section 6.5)
  const start = at;
  const chunkEnd = (start + 8 + 2 + cname.length + 4) & ~3;
  b[start] = 0x81; // V=2, P=0, SC=1
  b[start + 1] = RTCP_SDES;
  put16(b, start + 2, (chunkEnd - start) / 4 - 1);
  put32(b, start + 4, ssrc);
  b[start + 8] = SDES_CNAME;
  b[start + 9] = cname.length;
  b.set(cname, start + 10);
  b.fill(0, start + 10 + cname.length, chunkEnd);
  return chunkEnd;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function get32(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  );
}

/** Called for each SR of a compound packet: the sender's SSRC and the middle 32 bits of its NTP timestamp. */
export type SenderReportListener = (ssrc: number, ntpMiddle: number) => void;

/**
 * Walk a compound RTCP packet (section 6.1) and report each SR. Returns
 * false when it is not one (section 6.4.1 / A.2 checks: version 2, the
 * first packet an SR or RR, lengths that add up to the datagram); never
 * throws, whatever the bytes.
 */
export function readRtcp(b: Uint8Array, length: number, onSenderReport: SenderReportListener): boolean {
  if (length < 8 || length > b.length) return false;
  const firstType = b[1] as number;
  if (firstType !== RTCP_SR && firstType !== RTCP_RR) return false;
  let at = 0;
  while (at < length) {
    if (at + 4 > length || (b[at] as number) >> 6 !== 2) return false;
    at += ((((b[at + 2] as number) << 8) | (b[at + 3] as number)) + 1) * 4;
  }
  if (at !== length) return false;
  for (at = 0; at < length;) {
    const size = ((((b[at + 2] as number) << 8) | (b[at + 3] as number)) + 1) * 4;
    if (b[at + 1] === RTCP_SR && size >= 28) {
      onSenderReport(get32(b, at + 4), ((get32(b, at + 8) & 0xffff) * 0x10000 + (get32(b, at + 12) >>> 16)) >>> 0);
    }
    at += size;
  }
  return true;
}
