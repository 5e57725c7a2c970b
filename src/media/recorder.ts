import { g711DecodeTable, G711_SILENCE, type G711Law } from './g711.js';

/** Samples per second of G.711 (RFC 3551 section 4.5.14). */
export const SAMPLE_RATE = 8000;
/** One second of G.711: the unit the recording grows by. */
const CHUNK = SAMPLE_RATE;
/**
 * How far a packet's timestamp may disagree with its arrival time before it
 * is taken as a jump (a broken or switched source), not as jitter or a
 * silence-suppression gap: 2 s.
 */
const JUMP_SAMPLES = 2 * SAMPLE_RATE;
/** Mean absolute amplitude (of 32,768) under which a packet counts as silence: about -40 dBFS. */
const SILENCE_LEVEL = 330;

/**
 * The recording of one call: G.711 payloads placed by RTP timestamp (RFC
 * 3550 section 5.1) into a timeline that grows one second at a time and is
 * silence where nothing arrived.
 *
 * Placing by timestamp makes the reorder window free: a late packet lands
 * where it belongs, a duplicate lands on itself, and a gap (loss or silence
 * suppression, RFC 3551 section 4.1 marker bit) stays silence. What the
 * timestamps cannot be trusted for is resynchronised from the arrival time
 * (the recorder's clock): a new SSRC (a B2BUA switching sources, RFC 3550
 * section 8.2), or a timestamp more than 2 s away both from where the
 * arrival time puts it and from the end of what was recorded (packets that
 * a stalled event loop hands over late stay where their timestamps put
 * them). Kept as the G.711 bytes themselves (1 byte per
 * sample); converted to linear PCM once, at the end.
 */
export class Recorder {
  private readonly chunks: Uint8Array[] = [];
  private readonly silence: number;
  private readonly decode: Int16Array;
  /** The timeline position of RTP timestamp 0 of the current source: position = timestamp - base (mod 2^32). */
  private base = 0;
  private ssrc: number | undefined;
  private firstArrivalMs = 0;
  private end = 0;
  private voiceEnd = 0;
  private lastVoiceMs = 0;
  /** Packets placed, and those refused (too old, beyond the maximum). */
  placed = 0;
  dropped = 0;
  resyncs = 0;

  /**
   * @param law what the payloads are (the negotiated codec)
   * @param maxSamples the longest recording (`--max-message`); later audio is dropped
   */
  constructor(
    readonly law: G711Law,
    private readonly maxSamples: number,
  ) {
    this.silence = G711_SILENCE[law];
    this.decode = g711DecodeTable(law);
  }

  /** Samples from the first packet to the last one placed. */
  get length(): number {
    return this.end;
  }

  /** Where the last packet above the silence level ended (for trimming trailing silence). */
  get voicedLength(): number {
    return this.voiceEnd;
  }

  /** Milliseconds since the last packet above the silence level arrived (or since the first packet). */
  silentForMs(nowMs: number): number {
    return this.placed === 0 ? 0 : nowMs - this.lastVoiceMs;
  }

  /** Place one payload of `length` bytes at `payload[offset]`, stamped `timestamp` by `ssrc`, arrived at `arrivalMs`. */
  push(payload: Uint8Array, offset: number, length: number, timestamp: number, ssrc: number, arrivalMs: number): void {
    if (this.ssrc === undefined) {
      this.ssrc = ssrc;
      this.firstArrivalMs = arrivalMs;
      this.lastVoiceMs = arrivalMs;
      this.base = timestamp;
    }
    const expected = Math.round((arrivalMs - this.firstArrivalMs) * (SAMPLE_RATE / 1000));
    let pos = (timestamp - this.base) | 0; // signed 32-bit difference: wrap-around is free
    // A jump is a timestamp that fits neither the arrival clock (silence suppression moves both) nor the
    // recording so far (a stalled event loop hands over late packets in a burst: the arrival clock lags, the
    // timestamps stay continuous): only a broken or switched source disagrees with both.
    if (ssrc !== this.ssrc || (Math.abs(pos - expected) > JUMP_SAMPLES && Math.abs(pos - this.end) > JUMP_SAMPLES)) {
      // resync: continue after what we have, unless the arrival time says time really passed
      const at = Math.max(this.end, expected - JUMP_SAMPLES / 4);
      this.base = (timestamp - at) >>> 0;
      this.ssrc = ssrc;
      this.resyncs++;
      pos = at;
    }
    if (pos < 0 || pos + length > this.maxSamples) {
      this.dropped++;
      return;
    }
    this.write(payload, offset, length, pos);
    this.placed++;
    if (pos + length > this.end) this.end = pos + length;
    if (this.level(payload, offset, length) >= SILENCE_LEVEL) {
      if (pos + length > this.voiceEnd) this.voiceEnd = pos + length;
      this.lastVoiceMs = arrivalMs;
    }
  }

  /**
   * Where audio arriving at `arrivalMs` lands, by the arrival clock (what a
   * key reported out of band, RFC 4733, is placed against to trim its tail).
   */
  positionAt(arrivalMs: number): number {
    return this.placed === 0 ? 0 : Math.max(0, Math.round((arrivalMs - this.firstArrivalMs) * (SAMPLE_RATE / 1000)));
  }

  /** Cut the recording at `samples` (the DTMF that ended it, trailing silence). */
  truncate(samples: number): void {
    if (samples < this.end) this.end = Math.max(0, samples);
    if (this.voiceEnd > this.end) this.voiceEnd = this.end;
  }

  /** The recording as 16-bit linear PCM, 8 kHz mono. */
  toPcm16(): Int16Array {
    const out = new Int16Array(this.end);
    const table = this.decode;
    for (let c = 0; c * CHUNK < this.end; c++) {
      const chunk = this.chunks[c];
      const start = c * CHUNK;
      const n = Math.min(CHUNK, this.end - start);
      if (!chunk) out.fill(table[this.silence] as number, start, start + n);
      else for (let i = 0; i < n; i++) out[start + i] = table[chunk[i] as number] as number;
    }
    return out;
  }

  private write(payload: Uint8Array, offset: number, length: number, pos: number): void {
    let done = 0;
    while (done < length) {
      const at = pos + done;
      const index = Math.floor(at / CHUNK);
      while (this.chunks.length <= index) this.chunks.push(new Uint8Array(CHUNK).fill(this.silence));
      const within = at - index * CHUNK;
      const n = Math.min(length - done, CHUNK - within);
      // a loop, not set(subarray(...)): a view object per packet is most of what a recording allocates
      const chunk = this.chunks[index] as Uint8Array;
      for (let i = 0, from = offset + done; i < n; i++) chunk[within + i] = payload[from + i] as number;
      done += n;
    }
  }

  /** Mean absolute amplitude of a payload. */
  private level(payload: Uint8Array, offset: number, length: number): number {
    if (length === 0) return 0;
    const table = this.decode;
    let sum = 0;
    for (let i = offset; i < offset + length; i++) {
      const v = table[payload[i] as number] as number;
      sum += v < 0 ? -v : v;
    }
    return sum / length;
  }
}
