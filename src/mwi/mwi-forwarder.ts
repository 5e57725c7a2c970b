/**
 * openum as the voicemail system ("UM role"): every change
 * of a mailbox's lamp is sent to each `--mwi-target` SIP server, as
 * Exchange UM sends it to a Lync pool (PROTOCOLS.md section 3), or as an
 * RFC 3903 PUBLISH for presence servers such as Kamailio's presence_mwi.
 *
 * ## Addressing (the choice, and why)
 *
 * The Request-URI is the mailbox user's AOR `sip:NAME@DOMAIN` (DOMAIN =
 * `--domain`), From and To are the same AOR, and the request is sent to
 * the target's address, as to an outbound proxy (RFC 3261 section 8.1.2),
 * with no Route header:
 * - Exchange UM does exactly this: it sends to the Lync pool, Request-URI
 *   = the user's SIP URI.
 * - Kamailio's `handle_publish()` takes the presentity from the
 *   Request-URI (user@host), and the anchor config passes an
 *   out-of-dialog NOTIFY to it too; its subscribers subscribe to
 *   `sip:NAME@DOMAIN`. A Request-URI naming the target host
 *   (`sip:NAME@TARGETHOST:PORT`) would file the state under the wrong
 *   presentity. So DOMAIN must be the domain the target serves (openum's
 *   `--domain`).
 *
 * ## Delivery
 *
 * - Per target, at most `maxInFlight` requests at a time (default 64), the
 *   rest queued per mailbox. Newest state wins: a change while a send for
 *   that mailbox is queued, in flight or backing off is coalesced into one
 *   more send with the latest counts.
 * - Timeout, 408, transport error, unresolvable host, 500, 503 (Retry-After
 *   honoured, up to 300 s) and 504 are retried with exponential back-off
 *   (1 s, 2 s, 4 s... up to 30 s, jitter +-25 %), `maxAttempts` in all
 *   (default 5). After the last one the run gives up (`gave-up`), and one
 *   more run starts after `recoveryMs` (default 5 min) unless a newer
 *   change starts one sooner: a target that comes back converges to the
 *   latest state. Other final responses (403, 404, 489...) are not retried.
 * - PUBLISH (RFC 3903 section 4): an initial PUBLISH with the body; the
 *   SIP-ETag of each 2xx is kept per (target, mailbox); a change is a
 *   modify (body and SIP-If-Match); the publication is refreshed (no body,
 *   SIP-If-Match) at 85-95 % of the expiry the 2xx granted
 *   (`Expires: 3600` asked) when nothing changed; 412 drops the entity-tag
 *   and starts again with an initial PUBLISH of the latest state.
 * - NOTIFY: `Subscription-State: terminated`, no state kept after a 2xx
 *   (the receiver keeps it; Exchange never repeats itself either).
 * - Never blocks or throws into the MWI service: the body is built once
 *   per change and shared by all targets; sends are handed to the
 *   transaction layer; callbacks that come late (after {@link stop}) are
 *   ignored.
 *
 * ## Limits
 *
 * - Kamailio stores each out-of-dialog NOTIFY as one more publication
 *   expiring after presence_mwi's `default_expires` (anchor README): use
 *   `;method=PUBLISH` for it.
 * - Entity-tags live in memory. After a restart, call {@link resync} with
 *   the current lamps: each target gets the state again (an initial
 *   PUBLISH), so publications keep being refreshed; the target holds the
 *   pre-restart publication too until it expires.
 * - A host name is resolved with A/AAAA (no NAPTR/SRV), kept for a minute.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { ViaSentBy } from '../sip/dialog/index.js';
import type { SipRequest } from '../sip/message/index.js';
import type { Clock } from '../base/clock.js';
import type { TxDestination } from '../sip/transaction/index.js';
import { type MwiSnapshot, domainHost, snapshotOf } from './mwi-forwarder-request.js';
import { type MwiForwardOutcome, type MwiSendHandlers, TargetRunner } from './mwi-forwarder-runner.js';
import { type MwiTarget, parseMwiTarget } from './mwi-forwarder-target.js';
import type { MailboxMwi } from './mwi-service.js';

export {
  MwiTargetError,
  parseMwiTarget,
  type MwiTarget,
  type MwiTargetErrorCode,
  type MwiTargetMethod,
} from './mwi-forwarder-target.js';
export type { MwiForwardOutcome, MwiSendHandlers } from './mwi-forwarder-runner.js';

/** What {@link MwiForwarder} is built from. */
export interface MwiForwarderDeps {
  /** `--mwi-target` values; parsed with {@link parseMwiTarget} (duplicates are sent to once). */
  targets: readonly string[];
  /** Our SIP domain (`--domain`): the host of `sip:NAME@DOMAIN`. */
  domain: string;
  /** Send in a client transaction: `core.sendRequest(req, dest, handlers)`. */
  send(req: SipRequest, dest: TxDestination, handlers: MwiSendHandlers): void;
  /** Our Via sent-by for a protocol: `core.viaFor(protocol)`. */
  viaFor(protocol: TxDestination['protocol']): ViaSentBy;
  clock: Clock;
  /** `User-Agent`, e.g. `openum/0.1.0`. */
  product: string;
  /** One call per attempt outcome (and `gave-up`), for the metric; `target` is the `--mwi-target` as given. */
  onOutcome?(target: string, outcome: MwiForwardOutcome): void;
  /** Expires asked in PUBLISH, seconds (default 3600, the message-summary default of RFC 3842). */
  publishExpires?: number;
  /** Attempts per run, first one included (default 5). */
  maxAttempts?: number;
  /** First back-off delay, ms (default 1000); doubles per attempt. */
  retryBaseMs?: number;
  /** Longest back-off delay, ms (default 30000). */
  retryMaxMs?: number;
  /** Wait after giving up before the next run, ms (default 300000). */
  recoveryMs?: number;
  /** Requests in flight per target (default 64). */
  maxInFlight?: number;
  /** A/AAAA lookup of a target host name (default node:dns `lookup`). */
  lookup?(host: string): Promise<string>;
  /** [0, 1) for jitter (default Math.random). */
  random?(): number;
}

async function defaultLookup(host: string): Promise<string> {
  return (await dnsLookup(host)).address;
}

/** See the module documentation. */
export class MwiForwarder {
  private readonly runners: TargetRunner[] = [];
  private readonly host: string;
  private stopped = false;

  /** @throws MwiTargetError for a bad target or domain */
  constructor(deps: MwiForwarderDeps) {
    this.host = domainHost(deps.domain);
    const seen = new Set<string>();
    const onOutcome = deps.onOutcome;
    const shared = {
      send: deps.send,
      viaFor: deps.viaFor,
      clock: deps.clock,
      product: deps.product,
      onOutcome: onOutcome ? (t: string, o: MwiForwardOutcome): void => onOutcome(t, o) : (): void => undefined,
      lookup: deps.lookup ?? defaultLookup,
      random: deps.random ?? Math.random,
      publishExpires: positive(deps.publishExpires, 3600),
      maxAttempts: positive(deps.maxAttempts, 5),
      retryBaseMs: positive(deps.retryBaseMs, 1000),
      retryMaxMs: positive(deps.retryMaxMs, 30_000),
      recoveryMs: positive(deps.recoveryMs, 300_000),
      maxInFlight: positive(deps.maxInFlight, 64),
    };
    for (const text of deps.targets) {
      const t = parseMwiTarget(text);
      const key = `${t.method} ${t.protocol} ${t.host} ${t.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.runners.push(new TargetRunner(t, shared));
    }
  }

  /** The targets, parsed. */
  get targets(): readonly MwiTarget[] {
    return this.runners.map((r) => r.target);
  }

  /** Per target: mailboxes tracked, queued, requests in flight. */
  stats(): { target: string; slots: number; queued: number; inFlight: number }[] {
    return this.runners.map((r) => ({ target: r.target.uri, ...r.stats }));
  }

  /** A mailbox's lamp changed (`mwi.onChange`): send it to every target. Never throws. */
  onLampChange(state: MailboxMwi): void {
    const snap = this.snapshot(state);
    if (snap === undefined) return;
    for (const r of this.runners) r.offer(snap);
  }

  /**
   * Send the current state of these mailboxes to every target that has
   * heard nothing of them since we started (after a restart: the
   * entity-tags are gone, and publications not refreshed would lapse).
   * Queued behind the window of each target, so it causes no storm.
   */
  resync(states: Iterable<MailboxMwi>): void {
    if (this.runners.length === 0) return;
    for (const state of states) {
      const snap = this.snapshot(state);
      if (snap === undefined) continue;
      for (const r of this.runners) r.offer(snap, true);
    }
  }

  /** Stop: no more sends or retries; answers that arrive later are ignored. */
  stop(): void {
    this.stopped = true;
    for (const r of this.runners) r.stop();
  }

  private snapshot(state: MailboxMwi): MwiSnapshot | undefined {
    if (this.stopped || this.runners.length === 0) return undefined;
    try {
      return snapshotOf(state, this.host);
    } catch {
      return undefined; // counts no body can carry: the MWI service never has such
    }
  }
}

function positive(v: number | undefined, dflt: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : dflt;
}
