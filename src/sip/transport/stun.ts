/**
 * Minimal STUN Binding server (RFC 5389) for RFC 5626 section 4.4.2 / 8.4:
 * a SIP-over-UDP edge server that supports outbound must answer the STUN
 * Binding requests clients use as UDP keep-alives, on its SIP port. STUN is
 * told apart from SIP by its first byte (0x00/0x01) and the magic cookie.
 */
import { isIPv4, isIPv6 } from 'node:net';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const ATTR_FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
const HEADER = 20;

/** True for a well-formed STUN Binding request header (RFC 5389 section 6). */
export function isStunBindingRequest(msg: Buffer): boolean {
  if (msg.length < HEADER || (msg[0] as number) > 1) return false;
  if (msg.readUInt16BE(0) !== BINDING_REQUEST) return false;
  const length = msg.readUInt16BE(2);
  return (length & 3) === 0 && length + HEADER === msg.length && msg.readUInt32BE(4) === MAGIC_COOKIE;
}

/** True when the bytes cannot be SIP but look like STUN (RFC 5389 section 6: first two bits zero + magic cookie). */
export function looksLikeStun(msg: Buffer): boolean {
  return msg.length >= HEADER && (msg[0] as number) < 4 && msg.readUInt32BE(4) === MAGIC_COOKIE;
}

/**
 * The Binding success response to `request`, reporting the source the
 * request came from in XOR-MAPPED-ADDRESS (RFC 5389 section 15.2) and ending
 * with FINGERPRINT (section 15.5). Undefined if the address is not a literal.
 */
export function stunBindingResponse(request: Buffer, address: string, port: number): Buffer | undefined {
  let addr: Buffer;
  let family: number;
  if (isIPv4(address)) {
    family = 0x01;
    addr = Buffer.from(address.split('.').map((p) => Number(p)));
  } else if (isIPv6(address)) {
    family = 0x02;
    addr = ipv6Bytes(address);
  } else {
    return undefined;
  }
  const txid = request.subarray(8, 20);
  const xorMappedLength = 4 + addr.length;
  const total = HEADER + 4 + xorMappedLength + 8;
  const out = Buffer.alloc(total);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(total - HEADER, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  txid.copy(out, 8);
  let p = HEADER;
  out.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, p);
  out.writeUInt16BE(xorMappedLength, p + 2);
  out[p + 4] = 0;
  out[p + 5] = family;
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), p + 6);
  // X-Address: the address XOR the magic cookie (IPv4) or cookie || transaction id (IPv6).
  for (let i = 0; i < addr.length; i++) {
    out[p + 8 + i] = (addr[i] as number) ^ (out[4 + i] as number);
  }
  p += 4 + xorMappedLength;
  out.writeUInt16BE(ATTR_FINGERPRINT, p);
  out.writeUInt16BE(4, p + 2);
  out.writeUInt32BE((crc32(out.subarray(0, p)) ^ FINGERPRINT_XOR) >>> 0, p + 4);
  return out;
}

function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const b = tail.split('.').map((x) => Number(x));
    text = `${text.slice(0, lastColon + 1)}${(((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)}:${(((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head.length > 0 ? head.split(':') : [];
  const t = rest !== undefined && rest.length > 0 ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(parseInt(groups[i] ?? '0', 16) & 0xffff, i * 2);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as zlib), for FINGERPRINT; own copy so Node < 20.15 works. */
function crc32(data: Buffer): number {
  let table = crcTable;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    crcTable = table;
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
