/**
 * A test NTLMv2 client written from [MS-NLMP] independently of src/:
 * NEGOTIATE out, CHALLENGE read, AUTHENTICATE computed with the section 3.3.2
 * formulas (what a real client such as requests_ntlm or curl does).
 */
import { createHmac } from 'node:crypto';

const SIG = Buffer.from('NTLMSSP\0', 'latin1');

/** Flags a modern client sends (UNICODE, OEM, REQUEST_TARGET, NTLM, ALWAYS_SIGN, ESS, TARGET_INFO, VERSION, 128, KEY_EXCH, 56). */
export const CLIENT_FLAGS = 0xe2888207;

/** A NEGOTIATE_MESSAGE (2.2.1.1), optionally with OEM domain and workstation. */
export function negotiateMessage(flags = CLIENT_FLAGS, domain?: string, workstation?: string): Buffer {
  const d = Buffer.from(domain ?? '', 'latin1');
  const w = Buffer.from(workstation ?? '', 'latin1');
  let f = flags;
  if (domain !== undefined) f |= 0x1000;
  if (workstation !== undefined) f |= 0x2000;
  const head = Buffer.alloc(40);
  SIG.copy(head);
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(f >>> 0, 12);
  head.writeUInt16LE(d.length, 16);
  head.writeUInt16LE(d.length, 18);
  head.writeUInt32LE(40, 20);
  head.writeUInt16LE(w.length, 24);
  head.writeUInt16LE(w.length, 26);
  head.writeUInt32LE(40 + d.length, 28);
  return Buffer.concat([head, d, w]);
}

/** The fields of a CHALLENGE_MESSAGE (2.2.1.2) a client uses. */
export interface ReadChallenge {
  flags: number;
  serverChallenge: Buffer;
  targetName: Buffer;
  targetInfo: Buffer;
  /** AV pairs by AvId. */
  av: Map<number, Buffer>;
}

/** Read a CHALLENGE_MESSAGE (throws on anything unexpected: this is the test's side). */
export function readChallenge(msg: Buffer): ReadChallenge {
  if (!msg.subarray(0, 8).equals(SIG) || msg.readUInt32LE(8) !== 2) throw new Error('not a CHALLENGE');
  const field = (at: number): Buffer => {
    const len = msg.readUInt16LE(at);
    const off = msg.readUInt32LE(at + 4);
    if (off + len > msg.length) throw new Error('field out of bounds');
    return msg.subarray(off, off + len);
  };
  const targetInfo = field(40);
  const av = new Map<number, Buffer>();
  for (let i = 0; i + 4 <= targetInfo.length;) {
    const id = targetInfo.readUInt16LE(i);
    const len = targetInfo.readUInt16LE(i + 2);
    av.set(id, targetInfo.subarray(i + 4, i + 4 + len));
    i += 4 + len;
    if (id === 0) break;
  }
  return {
    flags: msg.readUInt32LE(20),
    serverChallenge: msg.subarray(24, 32),
    targetName: field(12),
    targetInfo,
    av,
  };
}

function hmac(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** What the client puts into its AUTHENTICATE_MESSAGE. */
export interface ClientCredentials {
  user: string;
  domain: string;
  workstation?: string;
  /** NTOWFv1 of the password (hex). */
  ntHash: string;
  /** The UserDom hashed into NTOWFv2 (default: `domain`). */
  hashDomain?: string;
  /** UTF-16LE strings (default) or OEM. */
  unicode?: boolean;
  clientChallenge?: Buffer;
  /** Replace the NT response (e.g. 24 bytes for NTLMv1). */
  ntResponse?: Buffer;
}

/** NTLMv2 responses (3.3.2): NtChallengeResponse = NTProofStr + temp, LmChallengeResponse = LMv2. */
export function ntlmv2Responses(
  c: ClientCredentials,
  serverChallenge: Buffer,
  targetInfo: Buffer,
  time: Buffer,
): { nt: Buffer; lm: Buffer } {
  const cc = c.clientChallenge ?? Buffer.from('0102030405060708', 'hex');
  const key = hmac(
    Buffer.from(c.ntHash, 'hex'),
    Buffer.from(c.user.toUpperCase() + (c.hashDomain ?? c.domain), 'utf16le'),
  );
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    time,
    cc,
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ]);
  const proof = hmac(key, serverChallenge, temp);
  return { nt: Buffer.concat([proof, temp]), lm: Buffer.concat([hmac(key, serverChallenge, cc), cc]) };
}

/** An AUTHENTICATE_MESSAGE (2.2.1.3) answering `challenge`. */
export function authenticateMessage(challenge: ReadChallenge, c: ClientCredentials): Buffer {
  const unicode = c.unicode ?? true;
  const enc = (s: string): Buffer => Buffer.from(s, unicode ? 'utf16le' : 'latin1');
  const time = challenge.av.get(7) ?? Buffer.alloc(8);
  const r = ntlmv2Responses(c, challenge.serverChallenge, challenge.targetInfo, time);
  const nt = c.ntResponse ?? r.nt;
  const parts = [r.lm, nt, enc(c.domain), enc(c.user), enc(c.workstation ?? 'WS'), Buffer.alloc(0)];
  const head = Buffer.alloc(72);
  SIG.copy(head);
  head.writeUInt32LE(3, 8);
  let off = 72;
  parts.forEach((p, i) => {
    head.writeUInt16LE(p.length, 12 + i * 8);
    head.writeUInt16LE(p.length, 14 + i * 8);
    head.writeUInt32LE(off, 16 + i * 8);
    off += p.length;
  });
  const flags = (challenge.flags & ~0x3) | (unicode ? 1 : 2);
  head.writeUInt32LE(flags >>> 0, 60);
  return Buffer.concat([head, ...parts]);
}
