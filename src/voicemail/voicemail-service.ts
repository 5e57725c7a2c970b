/**
 * Calls to voicemail: the INVITE handler of the UA core (RFC 3261 section
 * 13.3). Who may call (a `--trust` peer without a challenge, anyone else
 * after digest), how many (`--max-calls`, per-address and per-user rate
 * caps, 503 with Retry-After beyond), which mailbox (call-target.ts),
 * offer/answer (RFC 3264), one RTP session per call, then the deposit or
 * the menu flow on it.
 */
import type { Clock } from '../base/clock.js';
import { RateLimiter } from '../base/rate-limiter.js';
import { answerOffer, createOffer, readAnswer, SdpError, type NegotiatedAudio } from '../media/sdp-negotiation.js';
import type { PlayoutClock } from '../media/playout-clock.js';
import type { PortPool } from '../media/port-pool.js';
import { RtpSession } from '../media/rtp-session.js';
import type { IdleMode } from '../media/rtp-sender.js';
import type { RequestAuthenticator } from '../sip/auth/index.js';
import type { RequestContext } from '../sip/core.js';
import { createResponse, type SipRequest, type SipResponse } from '../sip/message/index.js';
import { InviteServerSession, type SessionHost, type SessionEnd } from '../sip/session/invite-server-session.js';
import type { UserRecord, UserStore } from '../storage/ports.js';
import { callTargetOf, type CallTarget } from './call-target.js';
import { callerIdentityOf } from './caller-identity.js';
import { runDeposit, type DepositLimits, type DepositOutcome } from './deposit-flow.js';
import type { PromptSource } from './flow-ports.js';
import type { Mailboxes } from './mailboxes.js';
import { runMenu, type Speech } from './menu-flow.js';
import type { PinGuard } from './pin-guard.js';
import { RtpCallIo } from './rtp-call-io.js';

/** How a call ended, for metrics. */
export type CallOutcome = DepositOutcome | 'menu' | 'menu-login-failed' | 'error';

export interface VoicemailServiceOptions {
  host: SessionHost;
  clock: Clock;
  users: Pick<UserStore, 'findUser'>;
  auth: RequestAuthenticator<UserRecord>;
  /** `--trust`: peers (the PBX) whose calls need no challenge and whose P-Asserted-Identity is believed. */
  trusted(address: string): boolean;
  mailboxes: Mailboxes;
  prompts: PromptSource;
  speech: Speech;
  guard: PinGuard;
  ports: PortPool;
  playout: PlayoutClock;
  /** `--media-address`: the address put in SDP (behind NAT); else the address the call came in on. */
  mediaAddress?: string;
  /** Address the RTP sockets bind to (default: all of the family of the media address). */
  rtpBindAddress?: string;
  /** The pilot's user part (`voicemail`). */
  pilot: string;
  /** `--max-calls`. */
  maxCalls: number;
  limits: DepositLimits;
  rtpTimeoutMs?: number;
  /** What calls send between prompts (media/rtp-sender.ts); default 'keepalive'. */
  idleRtp?: IdleMode;
  /** New calls per second per untrusted source address and per user (burst 10); a `--trust` peer is not capped. */
  callsPerSecond?: number;
  onCallStart?(kind: 'deposit' | 'menu'): void;
  onCallEnd?(outcome: CallOutcome): void;
  /** RTP figures of a call that ended (metrics). */
  onRtpStats?(s: { received: number; lost: number; late: number; sent: number }): void;
  onError?(error: unknown): void;
}

export class VoicemailService {
  private active = 0;
  private readonly perAddress: RateLimiter;
  private readonly perUser: RateLimiter;
  private sessionVersion = 1;

  constructor(private readonly o: VoicemailServiceOptions) {
    const rate = o.callsPerSecond ?? 2;
    this.perAddress = new RateLimiter(rate, 10);
    this.perUser = new RateLimiter(rate, 10);
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.active;
  }

  /** The INVITE handler (out of dialog; re-INVITEs go to the session). */
  readonly handleInvite = async (req: SipRequest, ctx: RequestContext): Promise<SipResponse | undefined> => {
    const o = this.o;
    const now = o.clock.now();
    const trusted = o.trusted(ctx.source.address);
    let caller: UserRecord | undefined;
    if (!trusted) {
      const a = o.auth.authenticate(req);
      if ('response' in a) return a.response;
      caller = a.user;
    }
    // a trusted peer is the PBX that carries every diverted call: only untrusted sources are rate-capped
    if (
      (!trusted && !this.perAddress.take(ctx.source.address, now)) ||
      (caller && !this.perUser.take(caller.name, now))
    ) {
      return busy(req, 'Service Unavailable (call rate)');
    }
    const target: CallTarget = callTargetOf(req, o.pilot);
    let mailboxUser: UserRecord | undefined;
    if (target.kind === 'deposit') {
      mailboxUser = o.users.findUser(target.mailbox);
      if (!mailboxUser) return createResponse(req, 404, 'Not Found (no such mailbox)');
    }
    const offer = req.body.length > 0 ? req.body.toString('utf8') : undefined;
    if (offer !== undefined && !/^application\/sdp\b/i.test(req.getHeader('Content-Type') ?? '')) {
      return createResponse(req, 415, 'Unsupported Media Type (SDP only)');
    }
    // the line is taken now, before any await, so that calls arriving together cannot pass --max-calls
    if (this.active >= o.maxCalls) return busy(req, 'Service Unavailable (all voicemail lines busy)');
    this.active++;
    let held = true;
    const release = (): void => {
      if (held) this.active--;
      held = false;
    };
    try {
      return await this.admit(req, ctx, { target, trusted, caller, mailboxUser, offer, now, release });
    } catch (e) {
      release();
      throw e;
    }
  };

  /** The admitted call: media, the answer, then the flow. */
  private async admit(req: SipRequest, ctx: RequestContext, call: Admitted): Promise<SipResponse | undefined> {
    const o = this.o;
    const { target, offer, now, release } = call;
    const session = InviteServerSession.create(o.host, req, ctx); // throws SipParseError -> 400 by the core
    let cancelled = false;
    ctx.onCancel(() => (cancelled = true));
    const address = o.mediaAddress ?? ctx.local.address;
    let ports;
    try {
      ports = await o.ports.open(o.rtpBindAddress ?? (address.includes(':') ? '::' : '0.0.0.0'));
    } catch (e) {
      o.onError?.(e);
      release();
      return busy(req, 'Service Unavailable (no media port)');
    }
    const local = { address, port: ports.port, sessionId: now, sessionVersion: this.sessionVersion++ };
    let sdp: string;
    let audio: NegotiatedAudio | undefined;
    try {
      if (offer !== undefined) ({ answer: sdp, audio } = answerOffer(offer, local));
      else sdp = createOffer(local);
    } catch (e) {
      ports.close();
      release();
      if (e instanceof SdpError)
        return createResponse(
          req,
          e.status,
          `${e.status === 488 ? 'Not Acceptable Here' : 'Bad Request'} (${e.message})`,
        );
      throw e;
    }
    const first = audio ?? placeholderAudio();
    const rtp = new RtpSession({
      ports,
      audio: first,
      playout: o.playout,
      ...(o.rtpTimeoutMs !== undefined && { rtpTimeoutMs: o.rtpTimeoutMs }),
      ...(o.idleRtp !== undefined && { idle: o.idleRtp }),
    });
    let law = first.law;
    const io = new RtpCallIo(
      rtp,
      () => law,
      o.clock,
      () => session.hangUp(),
      () => o.playout.now(),
    );
    rtp.onTimeout = () => io.hangUp();
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      o.onCallStart?.(target.kind);
      this.run(io, req, call).then(
        (outcome) => o.onCallEnd?.(outcome),
        (e: unknown) => {
          o.onError?.(e);
          o.onCallEnd?.('error');
        },
      );
    };
    const answered =
      !cancelled &&
      session.answer(ctx, req, sdp, {
        onAck: (answerSdp, initial) => {
          if (initial && audio === undefined) {
            // delayed offer: the ACK carries the answer (RFC 3264 section 5, RFC 3261 13.2.1)
            try {
              audio = readAnswer(answerSdp ?? '');
            } catch {
              io.hangUp();
              return;
            }
            law = audio.law;
            rtp.update(audio);
            start();
          }
        },
        onReinvite: (reoffer) => {
          const l = { ...local, sessionVersion: this.sessionVersion++ };
          if (reoffer === undefined) return { sdp: createOffer(l) };
          try {
            const r = answerOffer(reoffer, l);
            audio = r.audio;
            law = r.audio.law;
            rtp.update(r.audio);
            return { sdp: r.answer };
          } catch (e) {
            if (e instanceof SdpError) return { status: e.status, reason: e.message };
            throw e;
          }
        },
        onInfo: (info) => {
          const d = dtmfRelay(info);
          if (d !== undefined) io.key(d);
          return 200;
        },
        onEnded: (why: SessionEnd) => {
          io.callEnded();
          const st = rtp.stats();
          o.onRtpStats?.({ received: st.received, lost: st.lost, late: st.lateOrDuplicate, sent: st.sent });
          rtp.close();
          if (why !== 'hangup' && !started) o.onCallEnd?.('error');
          release();
        },
      });
    if (!answered) {
      rtp.close();
      release();
      return undefined; // cancelled: the core already answered 487
    }
    if (audio !== undefined) start();
    return undefined; // answered through the session
  }

  private async run(io: RtpCallIo, req: SipRequest, call: Admitted): Promise<CallOutcome> {
    const o = this.o;
    const { target, trusted, caller, mailboxUser } = call;
    if (target.kind === 'menu' || !mailboxUser) {
      const r = await runMenu(io, o.prompts, o.mailboxes, o.speech, o.guard, { authenticated: caller?.name });
      return r === 'done' ? 'menu' : 'menu-login-failed';
    }
    const priority = (req.getHeader('Priority') ?? '').trim().toLowerCase();
    return runDeposit(io, o.prompts, o.mailboxes, o.limits, {
      mailbox: mailboxUser.name,
      spokenId: mailboxUser.extension ?? mailboxUser.name,
      reason: target.reason,
      caller: callerIdentityOf(req, trusted),
      callId: req.callId,
      urgent: priority === 'urgent' || priority === 'emergency',
    });
  }
}

/** What admission learnt of a call; `release` frees its line (once). */
interface Admitted {
  target: CallTarget;
  trusted: boolean;
  /** The user who authenticated (a caller not from a --trust peer). */
  caller: UserRecord | undefined;
  /** The mailbox of a deposit. */
  mailboxUser: UserRecord | undefined;
  offer: string | undefined;
  now: number;
  release: () => void;
}

function busy(req: SipRequest, reason: string): SipResponse {
  const res = createResponse(req, 503, reason);
  res.setHeader('Retry-After', '5');
  return res;
}

/** Until a delayed offer's answer arrives: nothing to send to, nothing expected. */
function placeholderAudio(): NegotiatedAudio {
  return {
    law: 'PCMU',
    payloadType: 0,
    dtmfPayloadType: undefined,
    ptimeMs: 20,
    remote: undefined,
    remoteRtcpPort: undefined,
    rtcpMux: false,
    direction: 'inactive',
  };
}

/** SIP INFO DTMF (`application/dtmf-relay`, `Signal=5`), as Cisco and many PBXes send it. */
function dtmfRelay(req: SipRequest): string | undefined {
  if (!/^application\/(dtmf-relay|dtmf)\b/i.test(req.getHeader('Content-Type') ?? '')) return undefined;
  const body = req.body.toString('latin1');
  const m = /Signal\s*=\s*([0-9*#A-D])/i.exec(body) ?? /^\s*([0-9*#A-D])\s*$/i.exec(body);
  return m?.[1]?.toUpperCase();
}
