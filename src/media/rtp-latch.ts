/**
 * Which transport address (IP and port) a call's RTP is taken from: safe
 * latching, RFC 7362 section 4 (the source of the media is where we send
 * ours, RFC 4961 symmetric RTP) hardened as Asterisk's `strictrtp` with
 * probation against RTP bleed and injection.
 *
 * - Until latched, a packet from the address the SDP gave (c=, any port: a
 *   NAT may change the port) latches at once.
 * - A packet from anywhere else ("a stranger") latches after
 *   {@link PROBATION} consecutive in-sequence packets of one SSRC (RFC 3550
 *   appendix A.1 probation, MIN_SEQUENTIAL), as Asterisk's `strictrtp=yes`
 *   learns; the packets before are dropped. Whatever the SDP address is:
 *   behind a NAT the source is another address, and a multi-homed peer
 *   sends from another interface than the one its SDP names (baresip 1.0
 *   on this very machine: SDP 192.0.2.2, RTP from 127.0.0.1). Up to
 *   {@link CANDIDATES} strangers are on probation at once, so one cannot
 *   keep another from latching by interleaving.
 * - Once latched, RTP from any other address:port is dropped (RTP bleed).
 *   A new SDP remote (a re-INVITE) starts learning again.
 */
import { isIP } from 'node:net';

/** Consecutive in-sequence packets a stranger must send to be latched onto (Asterisk's `probation`). */
export const PROBATION = 4;
/** Strangers on probation at once. */
const CANDIDATES = 4;

/** What {@link RtpLatch.admit} decided: take the packet, or why not. */
export const enum LatchVerdict {
  Accept,
  /** A stranger on probation (not latched yet). */
  Probation,
  /** Not the latched source. */
  Foreign,
}

interface Candidate {
  address: string;
  port: number;
  ssrc: number;
  seq: number;
  count: number;
}

/** RFC 5952-style text of an IP literal (so it compares equal to what `node:dgram` reports), else undefined. */
export function canonicalIp(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

export class RtpLatch {
  /** The source we latched onto; undefined while learning. */
  address: string | undefined;
  port = 0;
  private expected: string | undefined;
  private expectedPort = 0;
  private readonly candidates: Candidate[] = [];
  private nextCandidate = 0;

  /**
   * Set what the SDP says (RFC 3264: the remote of the offer or answer);
   * when it changed, forget the latched source and learn again. Returns
   * whether it changed.
   */
  expect(remote: { address: string; port: number } | undefined): boolean {
    const address = remote ? canonicalIp(remote.address) : undefined;
    const port = remote?.port ?? 0;
    if (address === this.expected && port === this.expectedPort) return false;
    this.expected = address;
    this.expectedPort = port;
    this.address = undefined;
    this.port = 0;
    this.candidates.length = 0;
    return true;
  }

  /** Decide on one RTP packet (already checked for version and payload type) from `address`:`port`. */
  admit(address: string, port: number, ssrc: number, seq: number): LatchVerdict {
    if (this.address !== undefined) {
      return address === this.address && port === this.port ? LatchVerdict.Accept : LatchVerdict.Foreign;
    }
    if (address === this.expected) return this.latch(address, port);
    const c = this.candidate(address, port);
    if (c.count > 0 && c.ssrc === ssrc && seq === ((c.seq + 1) & 0xffff)) {
      c.count++;
    } else {
      c.count = 1;
      c.ssrc = ssrc;
    }
    c.seq = seq;
    return c.count >= PROBATION ? this.latch(address, port) : LatchVerdict.Probation;
  }

  private latch(address: string, port: number): LatchVerdict {
    this.address = address;
    this.port = port;
    this.candidates.length = 0;
    return LatchVerdict.Accept;
  }

  private candidate(address: string, port: number): Candidate {
    for (const c of this.candidates) if (c.address === address && c.port === port) return c;
    const c: Candidate = { address, port, ssrc: 0, seq: 0, count: 0 };
    if (this.candidates.length < CANDIDATES) {
      this.candidates.push(c);
    } else {
      this.candidates[this.nextCandidate] = c;
      this.nextCandidate = (this.nextCandidate + 1) % CANDIDATES;
    }
    return c;
  }
}
