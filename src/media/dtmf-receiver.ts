/**
 * RFC 4733 telephone-event receiver: named events 0-15 (section 3.2) as
 * digits, one per event.
 *
 * An event is the packets that share one RTP timestamp (its start, section
 * 2.5.1.2); the end bit is sent three times (section 2.5.1.4). A digit is
 * reported once, at the first packet with the end bit, so retransmitted
 * ends and reordered updates are ignored. An event whose end never comes is
 * reported when the next event starts or after {@link END_TIMEOUT_MS}
 * without a packet for it (section 2.5.2.3 leaves the timeout to the
 * receiver).
 */

/** Events 0-15 of section 3.2; 16 (flash) and others are not digits. */
const DIGITS = '0123456789*#ABCD';
/** A started event with no packet for this long counts as ended. */
export const END_TIMEOUT_MS = 800;

/** Where digits go: the key and the RTP timestamp its event started at (for trimming a recording). */
export type DigitListener = (digit: string, startTimestamp: number, ssrc: number) => void;

export class DtmfReceiver {
  private current: { ssrc: number; timestamp: number; event: number; lastMs: number; reported: boolean } | undefined;

  constructor(private readonly onDigit: DigitListener) {}

  /** One telephone-event payload (4 bytes: event, E|R|volume, duration; section 2.3). Malformed ones are ignored. */
  push(b: Uint8Array, offset: number, length: number, timestamp: number, ssrc: number, arrivalMs: number): void {
    if (length < 4) return;
    const event = b[offset] as number;
    const end = ((b[offset + 1] as number) & 0x80) !== 0;
    const c = this.current;
    if (!c || c.timestamp !== timestamp || c.ssrc !== ssrc) {
      if (c && !c.reported && timestamp !== c.timestamp) this.report(c);
      this.current = { ssrc, timestamp, event, lastMs: arrivalMs, reported: false };
    } else {
      c.lastMs = arrivalMs;
    }
    const now = this.current as NonNullable<typeof this.current>;
    if (end && !now.reported) this.report(now);
  }

  /** Report an event whose end was lost (call every few hundred ms). */
  tick(nowMs: number): void {
    const c = this.current;
    if (c && !c.reported && nowMs - c.lastMs >= END_TIMEOUT_MS) this.report(c);
  }

  private report(c: NonNullable<typeof this.current>): void {
    c.reported = true;
    const digit = DIGITS[c.event];
    if (digit !== undefined) this.onDigit(digit, c.timestamp, c.ssrc);
  }
}
