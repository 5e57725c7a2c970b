/**
 * The three NTLM messages ([MS-NLMP] section 2.2.1) as the server sees them:
 * NEGOTIATE parsed, CHALLENGE built, AUTHENTICATE parsed. Written by hand:
 * the npm NTLM packages are clients (httpntlm, ntlm-client) or unmaintained,
 * and the layout is a few fixed offsets.
 *
 * Every length and offset from the wire is checked against the message: a
 * malformed message gives an error value, never a throw nor a read out of
 * bounds.
 */

/** `NTLMSSP\0`, the Signature of every message ([MS-NLMP] section 2.2.1). */
export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** NegotiateFlags bits ([MS-NLMP] section 2.2.2.5), the ones openum reads or sets. */
export const NtlmFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  OEM_DOMAIN_SUPPLIED: 0x00001000,
  OEM_WORKSTATION_SUPPLIED: 0x00002000,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** AV_PAIR AvId values ([MS-NLMP] section 2.2.2.1). */
export const AvId = {
  EOL: 0,
  NB_COMPUTER_NAME: 1,
  NB_DOMAIN_NAME: 2,
  DNS_COMPUTER_NAME: 3,
  DNS_DOMAIN_NAME: 4,
  TIMESTAMP: 7,
} as const;

/** A parse result: the message, or why it is not one. */
export type NtlmParse<T> = { ok: true; value: T } | { ok: false; error: string };

function fail<T>(error: string): NtlmParse<T> {
  return { ok: false, error };
}

/** NEGOTIATE_MESSAGE ([MS-NLMP] section 2.2.1.1). Domain and workstation are OEM strings, null when not supplied. */
export interface NegotiateMessage {
  flags: number;
  domain: string | null;
  workstation: string | null;
}

/** AUTHENTICATE_MESSAGE ([MS-NLMP] section 2.2.1.3), the fields a server needs. */
export interface AuthenticateMessage {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
}

/** The MessageType of an NTLM message (1, 2 or 3), or undefined when it has no NTLMSSP signature. */
export function ntlmMessageType(msg: Buffer): number | undefined {
  if (msg.length < 12 || !msg.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return undefined;
  return msg.readUInt32LE(8);
}

/**
 * The payload a Len/MaxLen/BufferOffset field at `at` points to
 * ([MS-NLMP] section 2.2.1: DomainNameFields and the like), or an error when
 * the field or its payload lies outside the message.
 */
function payload(msg: Buffer, at: number, what: string): NtlmParse<Buffer> {
  if (at + 8 > msg.length) return fail(`${what}: field beyond the message`);
  const len = msg.readUInt16LE(at);
  if (len === 0) return { ok: true, value: Buffer.alloc(0) };
  const offset = msg.readUInt32LE(at + 4);
  if (offset > msg.length || len > msg.length - offset)
    return fail(`${what}: ${len} bytes at ${offset} beyond the message`);
  return { ok: true, value: msg.subarray(offset, offset + len) };
}

/** A string payload: UTF-16LE when `unicode`, else OEM (read as Latin-1; NTLM names are ASCII in practice). */
function text(msg: Buffer, at: number, unicode: boolean, what: string): NtlmParse<string> {
  const p = payload(msg, at, what);
  if (!p.ok) return p;
  if (unicode && p.value.length % 2 !== 0) return fail(`${what}: odd length for UTF-16`);
  return { ok: true, value: p.value.toString(unicode ? 'utf16le' : 'latin1') };
}

/**
 * Parse a NEGOTIATE_MESSAGE ([MS-NLMP] section 2.2.1.1). Only Signature,
 * MessageType and NegotiateFlags are required (old clients send 16 bytes);
 * DomainName and Workstation are read when their OEM_*_SUPPLIED flag is set.
 */
export function parseNegotiate(msg: Buffer): NtlmParse<NegotiateMessage> {
  if (ntlmMessageType(msg) !== 1) return fail('not an NTLM NEGOTIATE message');
  if (msg.length < 16) return fail('NEGOTIATE message too short');
  const flags = msg.readUInt32LE(12);
  let domain: string | null = null;
  let workstation: string | null = null;
  if ((flags & NtlmFlags.OEM_DOMAIN_SUPPLIED) !== 0) {
    const d = text(msg, 16, false, 'DomainName');
    if (!d.ok) return d;
    domain = d.value;
  }
  if ((flags & NtlmFlags.OEM_WORKSTATION_SUPPLIED) !== 0) {
    const w = text(msg, 24, false, 'Workstation');
    if (!w.ok) return w;
    workstation = w.value;
  }
  return { ok: true, value: { flags, domain, workstation } };
}

/**
 * Parse an AUTHENTICATE_MESSAGE ([MS-NLMP] section 2.2.1.3): the LM and NT
 * challenge responses, DomainName, UserName and Workstation (UTF-16LE when
 * its NegotiateFlags carry NEGOTIATE_UNICODE, else OEM). The header must
 * reach NegotiateFlags (64 bytes); EncryptedRandomSessionKey is only
 * bounds-checked, Version and MIC are not read.
 */
export function parseAuthenticate(msg: Buffer): NtlmParse<AuthenticateMessage> {
  if (ntlmMessageType(msg) !== 3) return fail('not an NTLM AUTHENTICATE message');
  if (msg.length < 64) return fail('AUTHENTICATE message too short');
  const flags = msg.readUInt32LE(60);
  const unicode = (flags & NtlmFlags.UNICODE) !== 0;
  const lm = payload(msg, 12, 'LmChallengeResponse');
  if (!lm.ok) return lm;
  const nt = payload(msg, 20, 'NtChallengeResponse');
  if (!nt.ok) return nt;
  const domain = text(msg, 28, unicode, 'DomainName');
  if (!domain.ok) return domain;
  const user = text(msg, 36, unicode, 'UserName');
  if (!user.ok) return user;
  const workstation = text(msg, 44, unicode, 'Workstation');
  if (!workstation.ok) return workstation;
  // Not used over HTTP (no signing), but a message whose field points outside is malformed.
  const sessionKey = payload(msg, 52, 'EncryptedRandomSessionKey');
  if (!sessionKey.ok) return sessionKey;
  return {
    ok: true,
    value: {
      flags,
      lmResponse: lm.value,
      ntResponse: nt.value,
      domain: domain.value,
      user: user.value,
      workstation: workstation.value,
    },
  };
}

/**
 * The NegotiateFlags of the CHALLENGE_MESSAGE for a client's NEGOTIATE flags
 * ([MS-NLMP] section 3.2.5.1.1): NTLM, REQUEST_TARGET, TARGET_TYPE_DOMAIN
 * and TARGET_INFO always; UNICODE when the client offers it (else OEM);
 * EXTENDED_SESSIONSECURITY, VERSION, ALWAYS_SIGN, 128 and 56 echoed when
 * asked. Signing and sealing are not offered: over HTTP NTLM only authenticates.
 */
export function challengeFlags(negotiated: number): number {
  const echoed =
    NtlmFlags.EXTENDED_SESSIONSECURITY |
    NtlmFlags.VERSION |
    NtlmFlags.ALWAYS_SIGN |
    NtlmFlags.NEGOTIATE_128 |
    NtlmFlags.NEGOTIATE_56;
  const charset = (negotiated & NtlmFlags.UNICODE) !== 0 ? NtlmFlags.UNICODE : NtlmFlags.OEM;
  return (
    (charset |
      NtlmFlags.NTLM |
      NtlmFlags.REQUEST_TARGET |
      NtlmFlags.TARGET_TYPE_DOMAIN |
      NtlmFlags.TARGET_INFO |
      (negotiated & echoed)) >>>
    0
  );
}

/** The names a server gives in its CHALLENGE_MESSAGE's TargetName and TargetInfo ([MS-NLMP] section 2.2.2.1). */
export interface NtlmNames {
  /** NetBIOS domain name (MsvAvNbDomainName, and the TargetName): at most 15 characters, upper case. */
  netbiosDomain: string;
  /** NetBIOS computer name (MsvAvNbComputerName). */
  netbiosComputer: string;
  /** DNS domain name (MsvAvDnsDomainName). */
  dnsDomain: string;
  /** DNS name of the server (MsvAvDnsComputerName). */
  dnsComputer: string;
}

/**
 * Names for a DNS domain such as a SIP domain: NetBIOS domain = its first
 * label, upper case, cut to 15 characters; the computer is `computer`
 * (default `openum`) inside the domain.
 */
export function ntlmNamesFor(dnsDomain: string, computer = 'openum'): NtlmNames {
  const netbios = (label: string): string => label.toUpperCase().slice(0, 15);
  const host = computer.split('.')[0] ?? computer;
  return {
    netbiosDomain: netbios(dnsDomain.split('.')[0] ?? dnsDomain),
    netbiosComputer: netbios(host),
    dnsDomain,
    dnsComputer: computer.includes('.') ? computer : `${computer}.${dnsDomain}`,
  };
}

/** A FILETIME ([MS-DTYP] section 2.3.3): 100 ns ticks since 1601-01-01, 8 bytes little-endian. */
export function fileTime(epochMs: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.floor(epochMs)) + 11_644_473_600_000n) * 10_000n);
  return b;
}

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

/**
 * TargetInfo ([MS-NLMP] section 2.2.2.1): MsvAvNbDomainName,
 * MsvAvNbComputerName, MsvAvDnsDomainName, MsvAvDnsComputerName,
 * MsvAvTimestamp, MsvAvEOL. NTLMv2 clients copy it into their response
 * (section 2.2.2.7), and some (ews-javascript-api) fail without it.
 */
export function buildTargetInfo(names: NtlmNames, epochMs: number): Buffer {
  const u = (s: string): Buffer => Buffer.from(s, 'utf16le');
  return Buffer.concat([
    avPair(AvId.NB_DOMAIN_NAME, u(names.netbiosDomain)),
    avPair(AvId.NB_COMPUTER_NAME, u(names.netbiosComputer)),
    avPair(AvId.DNS_DOMAIN_NAME, u(names.dnsDomain)),
    avPair(AvId.DNS_COMPUTER_NAME, u(names.dnsComputer)),
    avPair(AvId.TIMESTAMP, fileTime(epochMs)),
    avPair(AvId.EOL, Buffer.alloc(0)),
  ]);
}

/** VERSION ([MS-NLMP] section 2.2.2.10): 10.0 build 17763, NTLMSSP_REVISION_W2K3 (15). */
const VERSION = Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 0x0f]);

/** What goes into a CHALLENGE_MESSAGE. */
export interface ChallengeParts {
  /** The client's NEGOTIATE flags; the answer's come from {@link challengeFlags}. */
  negotiatedFlags: number;
  /** The 8-byte ServerChallenge (random, fresh per handshake). */
  serverChallenge: Buffer;
  names: NtlmNames;
  /** Current time for MsvAvTimestamp (epoch milliseconds). */
  now: number;
}

/**
 * Build a CHALLENGE_MESSAGE ([MS-NLMP] section 2.2.1.2): the 56-byte header
 * (Signature, MessageType 2, TargetNameFields, NegotiateFlags,
 * ServerChallenge, Reserved, TargetInfoFields, Version), then TargetName
 * (the NetBIOS domain, in the negotiated character set) and TargetInfo.
 */
export function buildChallenge(p: ChallengeParts): Buffer {
  if (p.serverChallenge.length !== 8) throw new RangeError('ServerChallenge is 8 bytes');
  const flags = challengeFlags(p.negotiatedFlags);
  const targetName = Buffer.from(p.names.netbiosDomain, (flags & NtlmFlags.UNICODE) !== 0 ? 'utf16le' : 'latin1');
  const targetInfo = buildTargetInfo(p.names, p.now);
  const head = Buffer.alloc(56);
  NTLMSSP_SIGNATURE.copy(head, 0);
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(targetName.length, 12);
  head.writeUInt16LE(targetName.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags, 20);
  p.serverChallenge.copy(head, 24);
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(56 + targetName.length, 44);
  if ((flags & NtlmFlags.VERSION) !== 0) VERSION.copy(head, 48);
  return Buffer.concat([head, targetName, targetInfo]);
}
