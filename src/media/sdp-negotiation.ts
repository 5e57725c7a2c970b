/**
 * SDP offer/answer for a voicemail's one audio stream (RFC 3264 on RFC 4566
 * descriptions, parsed and written with sdp-transform).
 *
 * We speak G.711 PCMU (payload type 0) and PCMA (8), RFC 4733
 * telephone-event at whatever payload type the offer gives it, and tolerate
 * comfort noise (RFC 3389, payload type 13). The first offered codec we
 * speak wins (RFC 3264 section 6.1: the offerer's order is its preference).
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { G711Law } from './g711.js';

/** An offer or answer we cannot use: the status to refuse it with and why (RFC 3261 21.4.1, 21.4.26). */
export class SdpError extends Error {
  constructor(
    readonly status: 400 | 488,
    message: string,
  ) {
    super(message);
    this.name = 'SdpError';
  }
}

/** RFC 3264 section 6.1 directions, from our side. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What offer/answer settled for the audio stream. */
export interface NegotiatedAudio {
  law: G711Law;
  /** 0 for PCMU, 8 for PCMA (RFC 3551 table 4). */
  payloadType: number;
  /** The telephone-event payload type (RFC 4733 section 7.1.1), when both sides have it. */
  dtmfPayloadType: number | undefined;
  /** Packet time we send at (a=ptime of the offer, else 20 ms). */
  ptimeMs: number;
  /** Where to send RTP; undefined while the peer holds us with c=0.0.0.0 (RFC 3264 section 8.4) or port 0. */
  remote: { address: string; port: number } | undefined;
  /** Where to send RTCP: the next port, or the RTP port with rtcp-mux (RFC 5761). */
  remoteRtcpPort: number | undefined;
  rtcpMux: boolean;
  /** Our direction: whether we may send and whether we should expect media. */
  direction: Direction;
}

/** Our side of a description. */
export interface LocalMedia {
  /** The address put in c= and o= (`--media-address`, else the interface the call came in on). */
  address: string;
  /** Our RTP port; RTCP is the next one unless muxed. */
  port: number;
  /** o= session id and version (RFC 4566 section 5.2: the version rises with each new description). */
  sessionId: number;
  sessionVersion: number;
}

const CODECS: Readonly<Record<string, { law: G711Law; payloadType: number }>> = {
  PCMU: { law: 'PCMU', payloadType: 0 },
  PCMA: { law: 'PCMA', payloadType: 8 },
};
const DEFAULT_DTMF_PT = 101;

const ANSWER_DIRECTION: Readonly<Record<Direction, Direction>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

function parseSdp(text: string, what: string): SessionDescription {
  let sdp: SessionDescription;
  try {
    sdp = parse(text);
  } catch (e) {
    throw new SdpError(400, `malformed SDP ${what}: ${(e as Error).message}`);
  }
  if (sdp.version !== 0) throw new SdpError(400, `malformed SDP ${what}: no v=0 line`);
  if (!sdp.origin) throw new SdpError(400, `malformed SDP ${what}: no o= line`);
  if (!Array.isArray(sdp.media) || sdp.media.length === 0) throw new SdpError(400, `malformed SDP ${what}: no m= line`);
  return sdp;
}

/** The encoding name of a payload type in a media section (static types need no rtpmap, RFC 3551). */
function encodingOf(m: MediaDescription, pt: number): { name: string; rate: number } | undefined {
  const map = m.rtp.find((r) => r.payload === pt);
  if (map) return { name: map.codec.toUpperCase(), rate: map.rate ?? 0 };
  if (pt === 0) return { name: 'PCMU', rate: 8000 };
  if (pt === 8) return { name: 'PCMA', rate: 8000 };
  if (pt === 13) return { name: 'CN', rate: 8000 };
  return undefined;
}

function payloadsOf(m: MediaDescription): number[] {
  return String(m.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '')
    .map(Number);
}

/** Where the peer wants media (media-level c= wins over session-level, RFC 4566 section 5.7). */
function remoteOf(sdp: SessionDescription, m: MediaDescription): NegotiatedAudio['remote'] {
  const c = m.connection ?? sdp.connection;
  if (!c) throw new SdpError(400, 'malformed SDP: no c= line for the audio stream');
  if (c.ip === '0.0.0.0' || c.ip === '::' || m.port === 0) return undefined;
  return { address: c.ip, port: m.port };
}

function directionOf(sdp: SessionDescription, m: MediaDescription): Direction {
  return m.direction ?? sdp.direction ?? 'sendrecv';
}

/** Settle the audio stream of `m` as the answerer (RFC 3264 section 6.1). */
function settle(sdp: SessionDescription, m: MediaDescription): NegotiatedAudio {
  const offered = payloadsOf(m);
  let codec: (typeof CODECS)[string] | undefined;
  let dtmf: number | undefined;
  for (const pt of offered) {
    const enc = encodingOf(m, pt);
    if (!enc) continue;
    if (!codec && CODECS[enc.name] && enc.rate === 8000) codec = CODECS[enc.name];
    if (dtmf === undefined && enc.name === 'TELEPHONE-EVENT' && enc.rate === 8000) dtmf = pt;
  }
  if (!codec) throw new SdpError(488, 'no common codec: we speak PCMU and PCMA');
  const remote = remoteOf(sdp, m);
  const rtcpMux = m.rtcpMux !== undefined;
  const ptime = m.ptime !== undefined && m.ptime >= 10 && m.ptime <= 60 && m.ptime % 10 === 0 ? m.ptime : 20;
  return {
    law: codec.law,
    payloadType: codec.payloadType,
    dtmfPayloadType: dtmf,
    ptimeMs: ptime,
    remote,
    remoteRtcpPort: remote ? (rtcpMux ? remote.port : (m.rtcp?.port ?? remote.port + 1)) : undefined,
    rtcpMux,
    direction: ANSWER_DIRECTION[directionOf(sdp, m)],
  };
}

function session(local: LocalMedia, media: MediaDescription[]): SessionDescription {
  const ipVer = local.address.includes(':') ? 6 : 4;
  return {
    version: 0,
    origin: {
      username: 'openum',
      sessionId: local.sessionId,
      sessionVersion: local.sessionVersion,
      netType: 'IN',
      ipVer,
      address: local.address,
    },
    name: 'openum',
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  };
}

function audioSection(
  local: LocalMedia,
  a: Pick<NegotiatedAudio, 'payloadType' | 'law' | 'dtmfPayloadType' | 'ptimeMs' | 'rtcpMux' | 'direction'>,
): MediaDescription {
  const rtp: MediaDescription['rtp'] = [{ payload: a.payloadType, codec: a.law, rate: 8000 }];
  const fmtp: MediaDescription['fmtp'] = [];
  if (a.dtmfPayloadType !== undefined) {
    rtp.push({ payload: a.dtmfPayloadType, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: a.dtmfPayloadType, config: '0-16' });
  }
  return {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: rtp.map((r) => r.payload).join(' '),
    rtp,
    fmtp,
    ptime: a.ptimeMs,
    direction: a.direction,
    ...(a.rtcpMux && { rtcpMux: 'rtcp-mux' as const }),
  };
}

/**
 * Answer an offer (RFC 3264 section 6): one answer section per offered one,
 * the first audio stream accepted, every other stream refused with port 0
 * (section 6: "the answer MUST contain exactly the same number of m=
 * lines"). Throws {@link SdpError} 400 for malformed SDP, 488 when no
 * audio stream has a codec we speak.
 */
export function answerOffer(offer: string, local: LocalMedia): { answer: string; audio: NegotiatedAudio } {
  const sdp = parseSdp(offer, 'offer');
  let audio: NegotiatedAudio | undefined;
  let firstError: SdpError | undefined;
  const sections: MediaDescription[] = sdp.media.map((m) => {
    if (!audio && m.type === 'audio' && m.port !== 0 && /^RTP\/AVP$/i.test(m.protocol)) {
      try {
        audio = settle(sdp, m);
        return audioSection(local, audio);
      } catch (e) {
        if (!(e instanceof SdpError)) throw e;
        firstError ??= e;
      }
    }
    return {
      type: m.type,
      port: 0,
      protocol: m.protocol,
      payloads: String(m.payloads ?? '').split(/\s+/)[0] ?? '0',
      rtp: [],
      fmtp: [],
    };
  });
  if (!audio) throw firstError ?? new SdpError(488, 'no RTP/AVP audio stream offered');
  return { answer: write(session(local, sections)), audio };
}

/** Our offer, for an INVITE that came without one (RFC 3261 section 13.2.1): PCMU, PCMA, telephone-event. */
export function createOffer(local: LocalMedia): string {
  const rtp: MediaDescription['rtp'] = [
    { payload: 0, codec: 'PCMU', rate: 8000 },
    { payload: 8, codec: 'PCMA', rate: 8000 },
    { payload: DEFAULT_DTMF_PT, codec: 'telephone-event', rate: 8000 },
  ];
  return write(
    session(local, [
      {
        type: 'audio',
        port: local.port,
        protocol: 'RTP/AVP',
        payloads: '0 8 101',
        rtp,
        fmtp: [{ payload: DEFAULT_DTMF_PT, config: '0-16' }],
        ptime: 20,
        direction: 'sendrecv',
      },
    ]),
  );
}

/**
 * Read the answer to {@link createOffer} (in the ACK): the codec the
 * answerer chose among ours, RFC 3264 section 7.
 */
export function readAnswer(answer: string): NegotiatedAudio {
  const sdp = parseSdp(answer, 'answer');
  const m = sdp.media.find((x) => x.type === 'audio' && x.port !== 0);
  if (!m) throw new SdpError(488, 'the answer accepts no audio stream');
  return settle(sdp, m); // the answer's direction is the answerer's: ours mirrors it, as for an offer
}
