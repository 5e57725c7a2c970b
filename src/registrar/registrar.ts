import {
  createResponse,
  formatNameAddr,
  type Contact,
  type SipRequest,
  type SipResponse,
  SipParseError,
  SipUri,
} from '../sip/message/index.js';
import type { BindingRecord, BindingSource, BindingStore } from '../storage/ports.js';

/** Limits of the registrar (RFC 3261 section 10.3 steps 7-8). */
export interface RegistrarOptions {
  /** Shortest expiry accepted; shorter (and non-zero) gets 423 with Min-Expires. */
  minExpires: number;
  /** Longest expiry granted; longer requests are shortened to it. */
  maxExpires: number;
  /** Used when neither the contact nor the request says. */
  defaultExpires: number;
  /** Contacts one user may hold at once. */
  maxContactsPerUser: number;
  now: () => number;
}

export const DEFAULT_REGISTRAR_OPTIONS: Omit<RegistrarOptions, 'now'> = {
  minExpires: 60,
  maxExpires: 7200,
  defaultExpires: 3600,
  maxContactsPerUser: 16,
};

/** Where the REGISTER came from: the transport source and, for streams, the connection. */
export interface RegisterOrigin {
  source: BindingSource;
  flowId: string | undefined;
}

/** What higher layers (MWI) learn from the registrar; never called for a rejected REGISTER. */
export interface RegistrarDelegate {
  /** A contact registered that was not bound before (or whose registration had lapsed). */
  onContactRegistered?(binding: BindingRecord): void;
  /** A contact went away (removed, expired, or its flow closed). */
  onContactRemoved?(binding: BindingRecord, why: 'unregistered' | 'expired' | 'flow-closed'): void;
}

/** Strip the angle brackets and quotes of `+sip.instance="<urn:uuid:...>"` (RFC 5626 section 4.1). */
function instanceOf(c: Contact): string | null {
  const raw = c.nameAddr?.params.get('+sip.instance');
  if (raw === undefined || raw === null) return null;
  let v = raw.trim();
  if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  if (v.startsWith('<') && v.endsWith('>')) v = v.slice(1, -1);
  return v || null;
}

function reply(req: SipRequest, status: number, reason: string): SipResponse {
  return createResponse(req, status, reason);
}

/**
 * The registrar of RFC 3261 section 10.3: several contacts per user, Expires
 * and Min-Expires (423), `Contact: *` removal, Call-ID/CSeq ordering,
 * `+sip.instance` identity (RFC 5626 section 6), bindings kept in a
 * {@link BindingStore} so a restart keeps them.
 *
 * Authentication is done before this is called: `authUser` is the digest
 * username already verified (RFC 3261 section 10.3 step 3).
 */
export class Registrar {
  private readonly opts: RegistrarOptions;

  constructor(
    private readonly store: BindingStore,
    opts: Partial<RegistrarOptions> & { now: () => number },
    private readonly delegate: RegistrarDelegate = {},
  ) {
    this.opts = { ...DEFAULT_REGISTRAR_OPTIONS, ...opts };
  }

  /**
   * Handle an authenticated REGISTER for `user` (the account the To AOR names,
   * already resolved and checked against the credentials by the caller).
   * Returns the final response; state changes only on a 200.
   */
  handleRegister(req: SipRequest, user: string, origin: RegisterOrigin): SipResponse {
    let contacts: Contact[];
    let headerExpires: number | undefined;
    try {
      contacts = req.contacts;
      headerExpires = req.expires;
    } catch (e) {
      if (e instanceof SipParseError) return reply(req, 400, `Bad Request (${e.message})`);
      throw e;
    }
    const now = this.opts.now();
    const callId = req.callId;
    const cseq = req.cseq.seq;
    const existing = this.store.listBindings(user).filter((b) => b.expiresAt > now);
    const byKey = new Map(existing.map((b) => [b.key, b]));
    const removed: BindingRecord[] = [];
    const added: BindingRecord[] = [];

    // RFC 3261 section 10.3 step 6: "*" only alone and with Expires: 0.
    if (contacts.some((c) => c.star)) {
      if (contacts.length !== 1 || headerExpires !== 0) {
        return reply(req, 400, 'Bad Request (Contact: * needs Expires: 0 and no other contact)');
      }
      for (const b of existing) {
        if (b.callId === callId && cseq <= b.cseq)
          return reply(req, 500, 'Server Internal Error (out-of-order REGISTER)');
      }
      this.store.replaceBindings(user, []);
      for (const b of existing) this.delegate.onContactRemoved?.(b, 'unregistered');
      return this.okWithBindings(req, [], now);
    }

    for (const c of contacts) {
      const na = c.nameAddr;
      if (!na) continue;
      const expiresParam = na.params.get('expires');
      let expires: number;
      if (expiresParam !== undefined) {
        const n = expiresParam === null ? NaN : Number(expiresParam);
        // RFC 3261 section 10.2.1.1: a malformed value is treated as the default.
        expires = Number.isInteger(n) && n >= 0 ? n : (headerExpires ?? this.opts.defaultExpires);
      } else {
        expires = headerExpires ?? this.opts.defaultExpires;
      }
      if (expires !== 0 && expires < this.opts.minExpires) {
        const res = reply(req, 423, 'Interval Too Brief');
        res.setHeader('Min-Expires', String(this.opts.minExpires));
        return res;
      }
      expires = Math.min(expires, this.opts.maxExpires);
      const uri = na.uri.toString();
      const instanceId = instanceOf(c);
      const key = instanceId ?? (na.uri instanceof SipUri ? normalizedContactKey(na.uri) : uri);
      const prior = byKey.get(key);
      if (prior && prior.callId === callId && cseq <= prior.cseq) {
        return reply(req, 500, 'Server Internal Error (out-of-order REGISTER)');
      }
      if (expires === 0) {
        if (prior) {
          byKey.delete(key);
          removed.push(prior);
        }
        continue;
      }
      const params = new Map(na.params);
      params.delete('expires');
      const qRaw = params.get('q');
      const q = qRaw === undefined || qRaw === null ? null : Number(qRaw);
      const binding: BindingRecord = {
        user,
        key,
        contact: formatNameAddr({ ...na, params }),
        uri,
        instanceId,
        callId,
        cseq,
        expiresAt: now + expires * 1000,
        source: origin.source,
        flowId: origin.flowId ?? null,
        userAgent: req.getHeader('User-Agent') ?? null,
        q: q !== null && Number.isFinite(q) ? q : null,
        updatedAt: now,
      };
      // A new Call-ID for a known contact is a new registration (a rebooted phone), not a refresh.
      if (!prior || prior.callId !== callId) added.push(binding);
      byKey.set(key, binding);
    }

    if (byKey.size > this.opts.maxContactsPerUser) {
      return reply(req, 403, `Forbidden (at most ${this.opts.maxContactsPerUser} contacts per user)`);
    }
    const bindings = [...byKey.values()];
    if (contacts.length > 0) this.store.replaceBindings(user, bindings);
    for (const b of removed) this.delegate.onContactRemoved?.(b, 'unregistered');
    for (const b of added) this.delegate.onContactRegistered?.(b);
    return this.okWithBindings(req, bindings, now);
  }

  /** Current, unexpired bindings of a user (RFC 3261 section 10.3: the location service). */
  lookup(user: string): BindingRecord[] {
    const now = this.opts.now();
    return this.store.listBindings(user).filter((b) => b.expiresAt > now);
  }

  /** Remove expired bindings; returns how many went. Called periodically by the app. */
  sweepExpired(): number {
    const now = this.opts.now();
    const gone = this.store.listExpiredBindings(now);
    if (gone.length === 0) return 0;
    this.store.deleteExpired(now);
    for (const b of gone) this.delegate.onContactRemoved?.(b, 'expired');
    return gone.length;
  }

  /**
   * A connection closed: contacts that can only be reached over it (WebSocket
   * contacts, RFC 7118 section 5.2, and RFC 5626 outbound flows) go away.
   */
  onFlowClosed(flowId: string): void {
    for (const b of this.store.listBindingsByFlow(flowId)) {
      const proto = b.source.protocol;
      if (proto !== 'ws' && proto !== 'wss' && !/;ob\b/i.test(b.contact)) continue;
      const rest = this.store.listBindings(b.user).filter((x) => x.key !== b.key);
      this.store.replaceBindings(b.user, rest);
      this.delegate.onContactRemoved?.(b, 'flow-closed');
    }
  }

  private okWithBindings(req: SipRequest, bindings: BindingRecord[], now: number): SipResponse {
    const res = reply(req, 200, 'OK');
    for (const b of bindings) {
      res.addHeader('Contact', `${b.contact};expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`);
    }
    res.setHeader('Date', new Date(now).toUTCString());
    return res;
  }
}

/**
 * Contact URIs compare per RFC 3261 section 19.1.4; we key by scheme, user,
 * host (lower-case), port and transport, which is what decides reachability.
 */
function normalizedContactKey(u: SipUri): string {
  const t = u.transport;
  return `${u.scheme}:${u.user ?? ''}@${u.host.toLowerCase()}:${u.port ?? ''}${t ? `;transport=${t.toLowerCase()}` : ''}`;
}
