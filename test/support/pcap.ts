/**
 * A reader for the classic libpcap file format (little- or big-endian,
 * microsecond timestamps), enough to take the UDP payloads out of SIPp's
 * pcaps (Ethernet, IPv4, UDP) and compare them with what openum recorded.
 */
import { readFileSync } from 'node:fs';

/** One UDP datagram of a capture. */
export interface PcapDatagram {
  /** capture time in seconds */
  time: number;
  payload: Buffer;
}

/** The UDP payloads of an Ethernet/IPv4 pcap file, in capture order. */
export function readPcapUdp(file: string): PcapDatagram[] {
  const d = readFileSync(file);
  const magic = d.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4;
  if (!le && magic !== 0xd4c3b2a1) throw new Error(`${file}: not a libpcap file`);
  const u32 = (o: number): number => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`${file}: link type ${u32(20)}, expected Ethernet (1)`);
  const out: PcapDatagram[] = [];
  for (let o = 24; o + 16 <= d.length;) {
    const time = u32(o) + u32(o + 4) / 1e6;
    const incl = u32(o + 8);
    const frame = d.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    if (frame.length < 42 || frame.readUInt16BE(12) !== 0x0800) continue; // IPv4 only
    const ihl = ((frame[14] as number) & 0x0f) * 4;
    if (frame[14 + 9] !== 17) continue; // UDP
    const udp = 14 + ihl;
    const len = frame.readUInt16BE(udp + 4);
    out.push({ time, payload: Buffer.from(frame.subarray(udp + 8, udp + len)) });
  }
  return out;
}
