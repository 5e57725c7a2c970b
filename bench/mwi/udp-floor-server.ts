/**
 * The "floor server" of bench/mwi/udp-floor.ts: the least a Node.js SIP
 * server can do per request over `node:dgram`. One udp4 socket on
 * 127.0.0.1, port 0, 4 MB socket buffers; every datagram received gets
 * exactly one `200 OK` back to its sender, made of a prebuilt status line,
 * the request's own Via, From, To, Call-ID and CSeq lines (found with Buffer#indexOf on the raw
 * bytes: no SIP parser, no string decoding) and `Content-Length: 0`. That is
 * all SIPp needs to match the response to its transaction.
 *
 * Run: node dist/bench/mwi/udp-floor-server.js <mode> [maxSeconds]
 *   mode: `list`   send the pieces as a Buffer list (one sendmsg, no copy), no callback
 *         `cb`     the same with a send callback (Node then queues one more callback per send)
 *         `concat` Buffer.concat the pieces into one Buffer, no callback
 *   maxSeconds: exit after this long in any case (default 150)
 * Prints `PORT <n>` on stdout once bound. Each line on stdin prints one JSON
 * line `{"user":µs,"system":µs,"rx":n,"tx":n,"sendErrors":n}` (process.cpuUsage()
 * and datagram counts since start). Exits when stdin ends (the parent is gone).
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

type Mode = 'list' | 'cb' | 'concat';

const mode = (process.argv[2] ?? 'list') as Mode;
if (mode !== 'list' && mode !== 'cb' && mode !== 'concat') {
  process.stderr.write(`unknown mode ${String(process.argv[2])}; use list, cb or concat\n`);
  process.exit(2);
}
const maxSeconds = Number(process.argv[3] ?? 150) || 150;

// The header lines copied, each found by "\r\n<Name>:" so that a piece starts
// with its line break: the response is HEAD + pieces + TAIL with no separators.
// SIPp writes the long forms exactly as its scenario spells them.
const NEEDLES = ['Via:', 'From:', 'To:', 'Call-ID:', 'CSeq:'].map((h) => Buffer.from(`\r\n${h}`, 'latin1'));
const CRLF = 0x0d;
const HEAD = Buffer.from('SIP/2.0 200 OK', 'latin1');
const TAIL = Buffer.from('\r\nContent-Length: 0\r\n\r\n', 'latin1');
const SOCKET_BUFFER = 4 * 1024 * 1024;

let rx = 0;
let tx = 0;
let sendErrors = 0;

/** The response as a list of Buffers; the pieces are views into `msg` (a fresh Buffer per datagram). */
function responseParts(msg: Buffer): Buffer[] {
  const parts: Buffer[] = [HEAD];
  for (const needle of NEEDLES) {
    const at = msg.indexOf(needle);
    if (at < 0) continue;
    // the line ends at the next CR (SIP lines end in CRLF; folded lines are not used by SIPp)
    let end = msg.indexOf(CRLF, at + 2);
    if (end < 0) end = msg.length;
    parts.push(msg.subarray(at, end));
  }
  parts.push(TAIL);
  return parts;
}

const socket = createSocket('udp4');
const afterSend = (err: Error | null): void => {
  if (err) sendErrors++;
};
// Without a callback, a failed send is emitted here instead.
socket.on('error', () => {
  sendErrors++;
});

socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
  rx++;
  const parts = responseParts(msg);
  if (mode === 'list') socket.send(parts, rinfo.port, rinfo.address);
  else if (mode === 'cb') socket.send(parts, rinfo.port, rinfo.address, afterSend);
  else socket.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  tx++;
});

socket.bind(0, '127.0.0.1', () => {
  try {
    // 4 MB, as Kamailio's maxbuffer and SIPp's -buff_size in the MWI bench: bursts are not dropped
    socket.setRecvBufferSize(SOCKET_BUFFER);
    socket.setSendBufferSize(SOCKET_BUFFER);
  } catch {
    // the OS refused the size; its default stays
  }
  process.stdout.write(`PORT ${socket.address().port}\n`);
});

function stats(): string {
  const cpu = process.cpuUsage();
  return JSON.stringify({ user: cpu.user, system: cpu.system, rx, tx, sendErrors });
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let nl = pending.indexOf('\n');
  while (nl >= 0) {
    pending = pending.slice(nl + 1);
    process.stdout.write(stats() + '\n');
    nl = pending.indexOf('\n');
  }
});
process.stdin.on('end', () => process.exit(0));
// A bound on our own life, whatever the parent does.
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
