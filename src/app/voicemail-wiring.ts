import type { Clock } from '../base/clock.js';
import { monotonicClock, PlayoutClock } from '../media/playout-clock.js';
import { PortPool } from '../media/port-pool.js';
import { PromptLibrary, silence } from '../media/prompt-library.js';
import type { MwiService } from '../mwi/mwi-service.js';
import { TrustedPeers } from '../mwi/trusted-peers.js';
import type { RequestAuthenticator } from '../sip/auth/index.js';
import type { UserAgentCore } from '../sip/core.js';
import { sessionHostOf } from '../sip/session/invite-server-session.js';
import { openAudioFiles } from './open-storage.js';
import type { MessageRecord, Storage, UserRecord } from '../storage/ports.js';
import type { PromptSource } from '../voicemail/flow-ports.js';
import { Mailboxes } from '../voicemail/mailboxes.js';
import type { Speech } from '../voicemail/menu-flow.js';
import { PinGuard } from '../voicemail/pin-guard.js';
import { sayCounts, sayDateTime, sayDigits, sayNumber } from '../voicemail/say.js';
import { VoicemailService, type CallOutcome } from '../voicemail/voicemail-service.js';
import type { VoicemailConfig } from './config.js';

/** The voicemail, wired: mailboxes over the store, the call handler on the UA core. */
export interface VoicemailParts {
  mailboxes: Mailboxes;
  service: VoicemailService;
  playout: PlayoutClock;
  /** Sweep audio a crash left without its row (before any call); resolves with how many files went. */
  start(): Promise<number>;
  stop(): void;
}

export interface VoicemailWiringOptions {
  core: UserAgentCore;
  storage: Storage;
  mwi: MwiService;
  auth: RequestAuthenticator<UserRecord>;
  clock: Clock;
  trust: readonly string[];
  data: string;
  config: VoicemailConfig;
  onCallStart?(kind: 'deposit' | 'menu'): void;
  onCallEnd?(outcome: CallOutcome): void;
  onRtpStats?(s: { received: number; lost: number; late: number; sent: number }): void;
  /** A message was stored (by a call or the API). */
  onDeposit?(m: MessageRecord): void;
  onError?(what: string, error: unknown): void;
}

/** Prompts from the library; a prompt that is missing everywhere is heard as a short silence and reported once. */
function promptSource(lib: PromptLibrary, onMissing: (name: string, e: unknown) => void): PromptSource {
  const missing = new Set<string>();
  const get = async (name: string): Promise<Int16Array> => {
    try {
      return await lib.get(name);
    } catch (e) {
      if (!missing.has(name)) {
        missing.add(name);
        onMissing(name, e);
      }
      return silence(200);
    }
  };
  return { get, beep: () => get('beep') };
}

/** Words from numbers and times (say.ts), in the server's time zone. */
function speech(now: () => number): Speech {
  return {
    counts: (n, o) => sayCounts(n, o),
    number: (n) => sayNumber(n),
    digits: (s) => sayDigits(s),
    dateTime: (ms) => sayDateTime(new Date(ms), new Date(now())),
  };
}

export function wireVoicemail(o: VoicemailWiringOptions): VoicemailParts {
  const c = o.config;
  const now = (): number => o.clock.now();
  const mailboxes = new Mailboxes(o.storage, openAudioFiles(o.data), o.mwi, {
    maxMessages: c.maxMessages,
    now,
    ...(o.onDeposit && { onDeposit: o.onDeposit }),
  });
  const lib = new PromptLibrary({ dirs: c.prompts ? [c.prompts] : [] });
  const playout = new PlayoutClock(monotonicClock());
  const trusted = new TrustedPeers(o.trust);
  const service = new VoicemailService({
    host: sessionHostOf(o.core),
    clock: o.clock,
    users: o.storage,
    auth: o.auth,
    trusted: (address) => trusted.has(address),
    mailboxes,
    prompts: promptSource(lib, (name, e) => o.onError?.(`prompt ${name} missing`, e)),
    speech: speech(now),
    guard: new PinGuard(now),
    ports: new PortPool(c.rtpPorts.lo, c.rtpPorts.hi),
    playout,
    ...(c.mediaAddress && { mediaAddress: c.mediaAddress }),
    pilot: c.pilot,
    maxCalls: c.maxCalls,
    limits: { maxMessageMs: c.maxMessageMs, minMessageMs: c.minMessageMs, maxSilenceMs: c.maxSilenceMs },
    rtpTimeoutMs: c.rtpTimeoutMs,
    idleRtp: c.idleRtp,
    ...(o.onCallStart && { onCallStart: o.onCallStart }),
    ...(o.onCallEnd && { onCallEnd: o.onCallEnd }),
    ...(o.onRtpStats && { onRtpStats: o.onRtpStats }),
    onError: (e) => o.onError?.('voicemail call', e),
  });
  o.core.onRequest('INVITE', service.handleInvite);
  return {
    mailboxes,
    service,
    playout,
    start: () => mailboxes.sweep(),
    stop: () => playout.close(),
  };
}
