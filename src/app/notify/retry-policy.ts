/**
 * When a failed delivery is tried again: exponential back-off with jitter
 * (the AWS "equal jitter" form: half the step fixed, half random, so a
 * burst of failures spreads out yet never retries sooner than half a step).
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The step after the first failure; it doubles after each. */
  baseDelayMs: number;
  /** The step never grows past this. */
  maxDelayMs: number;
  /** A Retry-After longer than this gives up instead (RFC 9110 section 10.2.3). */
  maxRetryAfterMs: number;
}

/** Webhooks: 1 s, 2 s, 4 s ... (at most 5 min), 8 attempts: about 2 min of trying with the defaults. */
export const WEBHOOK_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  maxRetryAfterMs: 3_600_000,
};

/** E-mail: fewer, slower tries (an SMTP server that says "later" means minutes): 5 s, 10 s, 20 s, 40 s. */
export const MAIL_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 5_000,
  maxDelayMs: 300_000,
  maxRetryAfterMs: 3_600_000,
};

/**
 * The wait after failed attempt number `attempt` (1 = the first):
 * `step = min(maxDelayMs, baseDelayMs * 2^(attempt-1))`, then a value in
 * [step/2, step] by `random` (in [0, 1)).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * An HTTP Retry-After value in ms from `now` (RFC 9110 section 10.2.3:
 * delay-seconds or an HTTP-date); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
