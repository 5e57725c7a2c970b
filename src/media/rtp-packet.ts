/**
 * The RTP fixed header (RFC 3550 section 5.1), read and written in place.
 *
 * Hand-written rather than taken from rtp.js: a recorder reads every packet
 * of every call, and this reads the header fields straight from the bytes
 * into one caller-owned record (no object, no DataView, no copy of the
 * payload per packet). Header extensions (section 5.3.1) and CSRCs are
 * skipped, padding (section 5.1, P bit) is removed from the payload.
 */

/** The header fields of one packet; {@link readRtp} fills a record the caller reuses. */
export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Where the payload starts in the datagram, after CSRCs and any extension. */
  payloadOffset: number;
  /** Payload bytes, padding removed. */
  payloadLength: number;
}

/** A fresh record for {@link readRtp}. */
export function rtpHeader(): RtpHeader {
  return { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Why a datagram is not an RTP packet we can use. */
export type RtpReject = 'short' | 'version' | 'rtcp' | 'layout';

/**
 * Read an RTP packet's header into `h`. Returns undefined when it is one,
 * else why not: shorter than 12 bytes, not version 2, an RTCP packet on a
 * multiplexed port (RFC 5761 section 4: second byte 192-223, i.e. RTCP
 * packet types 200-204 and friends), or CSRCs / extension / padding that
 * run past the end.
 */
export function readRtp(b: Uint8Array, length: number, h: RtpHeader): RtpReject | undefined {
  if (length < 12) return 'short';
  const b0 = b[0] as number;
  if (b0 >> 6 !== 2) return 'version';
  const b1 = b[1] as number;
  if (b1 >= 192 && b1 <= 223) return 'rtcp';
  let offset = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > length) return 'layout';
    offset += 4 + (((b[offset + 2] as number) << 8) | (b[offset + 3] as number)) * 4;
  }
  let end = length;
  if (b0 & 0x20) {
    const pad = b[length - 1] as number;
    if (pad === 0) return 'layout';
    end -= pad;
  }
  if (offset > end) return 'layout';
  h.marker = (b1 & 0x80) !== 0;
  h.payloadType = b1 & 0x7f;
  h.sequence = ((b[2] as number) << 8) | (b[3] as number);
  h.timestamp =
    (((b[4] as number) << 24) | ((b[5] as number) << 16) | ((b[6] as number) << 8) | (b[7] as number)) >>> 0;
  h.ssrc = (((b[8] as number) << 24) | ((b[9] as number) << 16) | ((b[10] as number) << 8) | (b[11] as number)) >>> 0;
  h.payloadOffset = offset;
  h.payloadLength = end - offset;
  return undefined;
}

/** Write a 12-byte RTP header (version 2, no padding, extension or CSRC) at `b[0..12)`. */
export function writeRtpHeader(
  b: Uint8Array,
  marker: boolean,
  payloadType: number,
  sequence: number,
  timestamp: number,
  ssrc: number,
): void {
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  b[2] = (sequence >>> 8) & 0xff;
  b[3] = sequence & 0xff;
  b[4] = timestamp >>> 24;
  b[5] = (timestamp >>> 16) & 0xff;
  b[6] = (timestamp >>> 8) & 0xff;
  b[7] = timestamp & 0xff;
  b[8] = ssrc >>> 24;
  b[9] = (ssrc >>> 16) & 0xff;
  b[10] = (ssrc >>> 8) & 0xff;
  b[11] = ssrc & 0xff;
}
