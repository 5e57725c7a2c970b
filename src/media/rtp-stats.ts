/** The counters of an {@link RtpSession}, for metrics and tests. */
import type { SenderStats } from './rtp-sender.js';

/** Why received packets were dropped. */
export interface DropCounts {
  short: number;
  version: number;
  layout: number;
  /** RTCP on the RTP port without rtcp-mux. */
  rtcp: number;
  payloadType: number;
  /** From a stranger still on probation. */
  probation: number;
  /** From anyone but the latched source (RTP bleed), or a stranger while the SDP address is trusted. */
  foreign: number;
  /** A sequence jump (RFC 3550 appendix A.1). */
  sequence: number;
}

/** What the receiving side counts. */
export interface ReceiveCounters {
  /** RTP packets accepted: audio + telephone-event + comfort noise. */
  received: number;
  audio: number;
  dtmf: number;
  cn: number;
  lateOrDuplicate: number;
  rtcpReceived: number;
  /** RTCP not from the peer's address, or not a valid compound packet (RFC 3550 appendix A.2). */
  rtcpDropped: number;
  rtcpSent: number;
  /** The sink or the digit listener threw (the packet still counts as received). */
  listenerErrors: number;
  /** `error` events of the sockets. */
  socketErrors: number;
}

/** A snapshot of a session's counters. */
export interface RtpSessionStats extends ReceiveCounters, SenderStats {
  /** Cumulative loss over the sources heard (RFC 3550 appendix A.3). */
  lost: number;
  dropped: DropCounts;
}

export function dropCounts(): DropCounts {
  return { short: 0, version: 0, layout: 0, rtcp: 0, payloadType: 0, probation: 0, foreign: 0, sequence: 0 };
}

export function receiveCounters(): ReceiveCounters {
  return {
    received: 0,
    audio: 0,
    dtmf: 0,
    cn: 0,
    lateOrDuplicate: 0,
    rtcpReceived: 0,
    rtcpDropped: 0,
    rtcpSent: 0,
    listenerErrors: 0,
    socketErrors: 0,
  };
}
