/**
 * When the phone refreshes and retries: registrations (RFC 3261 section
 * 10.2.4) and subscriptions (RFC 6665 section 4.1.2.1) are refreshed before
 * they lapse; failures are retried with a growing delay.
 */

/**
 * Delay before refreshing something granted for `seconds`: 30 s before it
 * lapses, but never later than half way (so a short grant still leaves
 * time for a retry). Example: 3600 s -> 3570 s; 60 s -> 30 s; 1 s -> 0.5 s.
 */
export function refreshDelayMs(seconds: number): number {
  const s = Math.max(1, seconds);
  return Math.round(Math.max(s / 2, s - 30) * 1000);
}

/** Delays of retries after failures 1, 2, 3...: 5 s, 10 s, 20 s... at most 5 min. */
export function retryDelayMs(failures: number): number {
  const n = Math.max(1, Math.min(failures, 10));
  return Math.min(300_000, 5_000 * 2 ** (n - 1));
}

/**
 * A `Subscription-State` header value (RFC 6665 section 8.2.3):
 * `active;expires=3600`, `pending`, `terminated;reason=timeout;retry-after=30`.
 */
export interface SubscriptionState {
  /** lower-case: active, pending, terminated (or an extension value) */
  state: string;
  expires?: number;
  /** lower-case reason of `terminated` */
  reason?: string;
  retryAfter?: number;
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,10}$/.test(v)) return undefined;
  return Number(v);
}

/** Parses a Subscription-State value; undefined when there is no state token. */
export function parseSubscriptionState(value: string | undefined): SubscriptionState | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(';');
  const state = (parts[0] ?? '').trim().toLowerCase();
  if (state === '') return undefined;
  const out: SubscriptionState = { state };
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] as string;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? undefined : p.slice(eq + 1).trim();
    if (name === 'expires') {
      const s = seconds(v);
      if (s !== undefined) out.expires = s;
    } else if (name === 'reason' && v) {
      out.reason = v.toLowerCase();
    } else if (name === 'retry-after') {
      const s = seconds(v);
      if (s !== undefined) out.retryAfter = s;
    }
  }
  return out;
}
