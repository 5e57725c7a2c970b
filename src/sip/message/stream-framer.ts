/**
 * Message framing on stream transports (TCP, TLS), without parsing.
 *
 * RFC 3261 section 18.3: on a stream, the end of a message's headers is the
 * first empty line (CRLFCRLF) and the Content-Length header field, which is
 * mandatory on streams, gives the body size. RFC 3261 section 7.5: CRLFs
 * before a start-line are ignored. RFC 5626 section 3.5.1: a client's CRLFCRLF
 * "ping" is answered with a single CRLF "pong".
 *
 * The framer scans bytes only (it does not depend on the parser): it finds
 * the header end, the `Content-Length` or compact `l` header at line starts
 * (case-insensitive, folded values allowed), and checks that the start-line
 * looks like SIP so that garbage (TLS on a TCP port, HTTP, binary noise) is
 * rejected at once. Any framing error is final: the caller must close the
 * connection, because a stream cannot be resynchronised.
 */

/** What {@link StreamFramer.push} found in the bytes. */
export type FramerEvent =
  | { type: 'message'; data: Buffer }
  /** RFC 5626 section 3.5.1: a CRLFCRLF keep-alive ping; answer with one CRLF. */
  | { type: 'ping' }
  /** A lone CRLF between messages (a keep-alive pong); nothing to do. */
  | { type: 'pong' }
  /** Framing failed; close the connection. `reason`: 'too-large' | 'missing-content-length' | 'bad-content-length' | 'garbage'. */
  | { type: 'error'; reason: string };

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);
/** "ontent-length", lower case, after the leading "c". */
const ONTENT_LENGTH = Buffer.from('ontent-length', 'latin1');

const PING: FramerEvent = Object.freeze({ type: 'ping' });
const PONG: FramerEvent = Object.freeze({ type: 'pong' });

/** RFC 3261 section 25.1 `token` characters: a start-line begins with one (a method, or "SIP/"). */
const TOKEN = new Uint8Array(256);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Content-Length scan results that are not a length. */
const CL_MISSING = -1;
const CL_BAD = -2;

/**
 * Incremental framer for one connection (RFC 3261 section 18.3). Feed every
 * received chunk to {@link push}; it returns the complete messages, keep-alives
 * and errors found, in order. Pipelined messages and messages split at any
 * byte are handled. Messages are returned as views into the received bytes
 * (no copy when a message arrives within one chunk).
 */
export class StreamFramer {
  private readonly maxMessageSize: number;
  /** Unconsumed bytes while looking for the header end (or a keep-alive). */
  private buf: Buffer = EMPTY;
  /** Where to resume the CRLFCRLF search in `buf`. */
  private scanFrom = 0;
  /** Size of the message being received once its headers are known, else -1. */
  private need = -1;
  /** Chunks of a message whose size is known, gathered until complete (one concat). */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** A lone CRLF ended the previous push: a CRLF right after it completes a ping. */
  private pendingCrlf = false;
  private failed = false;

  /** @param opts.maxMessageSize largest message (headers + body) accepted, in bytes. */
  constructor(opts: { maxMessageSize: number }) {
    this.maxMessageSize = opts.maxMessageSize;
  }

  /**
   * Bytes of an incomplete message (or keep-alive) held back. Non-zero means
   * "a message has started arriving" (used for the partial-message timeout).
   */
  get bufferedBytes(): number {
    return this.need >= 0 ? this.chunkBytes : this.buf.length;
  }

  /** True after an error event: the stream cannot be resynchronised. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Feeds received bytes; returns what they completed. After an error, returns nothing. */
  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.failed || chunk.length === 0) return events;

    if (this.need >= 0) {
      // Body phase: gather until the known size is reached, then concat once.
      this.chunks.push(chunk);
      this.chunkBytes += chunk.length;
      if (this.chunkBytes < this.need) return events;
      this.buf = Buffer.concat(this.chunks, this.chunkBytes);
      this.chunks = [];
      this.chunkBytes = 0;
    } else if (this.buf.length === 0) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf, chunk]);
    }
    this.process(events);
    return events;
  }

  private process(events: FramerEvent[]): void {
    const buf = this.buf;
    const len = buf.length;
    let off = 0;
    for (;;) {
      if (this.need >= 0) {
        if (len - off < this.need) break;
        events.push({ type: 'message', data: buf.subarray(off, off + this.need) });
        off += this.need;
        this.need = -1;
        this.scanFrom = off;
        continue;
      }
      if (off >= len) break;
      const b = buf[off] as number;
      if (b === CR) {
        if (off + 1 >= len) break; // wait for the LF
        if (buf[off + 1] !== LF) return this.fail(events, 'garbage');
        if (this.pendingCrlf) {
          // "\r\n" | "\r\n": a ping split across pushes.
          this.pendingCrlf = false;
          events.push(PING);
          off += 2;
          continue;
        }
        if (off + 3 < len && buf[off + 2] === CR && buf[off + 3] === LF) {
          events.push(PING);
          off += 4;
          continue;
        }
        events.push(PONG);
        off += 2;
        // A CRLF at the very end (or followed by a lone CR) may be half of a ping.
        this.pendingCrlf = off >= len || (off + 1 === len && buf[off] === CR);
        continue;
      }
      this.pendingCrlf = false;
      if (TOKEN[b] !== 1) return this.fail(events, 'garbage');
      const end = buf.indexOf(CRLFCRLF, this.scanFrom > off ? this.scanFrom : off);
      if (end < 0) {
        if (len - off > this.maxMessageSize) return this.fail(events, 'too-large');
        this.scanFrom = len > off + 3 ? len - 3 : off;
        break;
      }
      const headerBytes = end + 4 - off;
      if (headerBytes > this.maxMessageSize) return this.fail(events, 'too-large');
      if (!startLineLooksLikeSip(buf, off, end + 2)) return this.fail(events, 'garbage');
      const cl = findContentLength(buf, off, end + 2);
      if (cl === CL_MISSING) return this.fail(events, 'missing-content-length');
      if (cl === CL_BAD) return this.fail(events, 'bad-content-length');
      if (headerBytes + cl > this.maxMessageSize) return this.fail(events, 'too-large');
      this.need = headerBytes + cl;
    }
    if (this.need >= 0) {
      // Message incomplete but its size is known: gather chunks from now on.
      this.chunks = [buf.subarray(off)];
      this.chunkBytes = len - off;
      this.buf = EMPTY;
      this.scanFrom = 0;
    } else if (off >= len) {
      this.buf = EMPTY;
      this.scanFrom = 0;
    } else {
      this.buf = buf.subarray(off);
      this.scanFrom = this.scanFrom > off ? this.scanFrom - off : 0;
    }
  }

  private fail(events: FramerEvent[], reason: string): void {
    this.failed = true;
    this.need = -1;
    this.buf = EMPTY;
    this.chunks = [];
    this.chunkBytes = 0;
    events.push({ type: 'error', reason });
  }
}

/**
 * Start-line sanity (RFC 3261 section 7.1 / 7.2): a Status-Line starts with
 * "SIP/", a Request-Line ends with a SIP-Version ("SIP/..."), case-insensitive.
 * The version itself is the parser's business (505).
 */
function startLineLooksLikeSip(buf: Buffer, start: number, headersEnd: number): boolean {
  let eol = buf.indexOf(LF, start);
  if (eol < 0 || eol >= headersEnd) eol = headersEnd;
  const lineEnd = buf[eol - 1] === CR ? eol - 1 : eol;
  if (isSipSlash(buf, start, lineEnd)) return true;
  const sp = buf.lastIndexOf(SP, lineEnd - 1);
  return sp > start && isSipSlash(buf, sp + 1, lineEnd);
}

function isSipSlash(buf: Buffer, i: number, end: number): boolean {
  return (
    end - i >= 4 &&
    ((buf[i] as number) | 0x20) === 0x73 &&
    ((buf[i + 1] as number) | 0x20) === 0x69 &&
    ((buf[i + 2] as number) | 0x20) === 0x70 &&
    buf[i + 3] === 0x2f
  );
}

/**
 * Finds the body size from `Content-Length` / `l` header fields in the header
 * block [start, end) (end is just after the last header line's CRLF).
 * Returns the length, {@link CL_MISSING} or {@link CL_BAD} (non-numeric, or
 * several fields with different values).
 */
function findContentLength(buf: Buffer, start: number, end: number): number {
  let result = CL_MISSING;
  let p = buf.indexOf(LF, start) + 1; // skip the start-line
  while (p > 0 && p < end) {
    const c = buf[p] as number;
    if (c !== SP && c !== HT) {
      const valueStart = matchContentLengthName(buf, p, end);
      if (valueStart >= 0) {
        const v = parseLengthValue(buf, valueStart, end);
        if (v < 0 || (result >= 0 && v !== result)) return CL_BAD;
        result = v;
      }
    }
    p = buf.indexOf(LF, p) + 1;
  }
  return result;
}

/** If a header line at `p` is Content-Length (or compact `l`), returns the index after its colon, else -1. */
function matchContentLengthName(buf: Buffer, p: number, end: number): number {
  const c = (buf[p] as number) | 0x20;
  let q: number;
  if (c === 0x6c /* l */) {
    q = p + 1;
  } else if (c === 0x63 /* c */) {
    if (p + 14 > end) return -1;
    for (let i = 0; i < 13; i++) {
      if (((buf[p + 1 + i] as number) | 0x20) !== ONTENT_LENGTH[i]) return -1;
    }
    q = p + 14;
  } else {
    return -1;
  }
  while (q < end && (buf[q] === SP || buf[q] === HT)) q++;
  return buf[q] === COLON ? q + 1 : -1;
}

/**
 * Parses a header value of digits surrounded by linear white space, which may
 * span folded continuation lines (RFC 3261 section 7.3.1). Returns -1 when not
 * a plain decimal number.
 */
function parseLengthValue(buf: Buffer, p: number, end: number): number {
  let value = -1;
  let digitsEnded = false;
  for (let i = p; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 0x30 && c <= 0x39) {
      if (digitsEnded) return -1;
      value = value < 0 ? c - 0x30 : value * 10 + (c - 0x30);
      if (value > 0x7fffffff) return -1;
    } else if (c === SP || c === HT || c === CR) {
      if (value >= 0) digitsEnded = true;
    } else if (c === LF) {
      // End of line unless the next line is a continuation (starts with SP/HT).
      const n = buf[i + 1];
      if (i + 1 >= end || (n !== SP && n !== HT)) break;
      if (value >= 0) digitsEnded = true;
    } else {
      return -1;
    }
  }
  return value;
}
