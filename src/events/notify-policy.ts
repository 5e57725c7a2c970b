/**
 * What the notifier does when a NOTIFY fails (RFC 6665 section 4.2.2 leaves
 * timeouts to the implementation; PROTOCOLS.md section 2 asks that no lamp is
 * left dark). The policy:
 *
 * - 2xx: delivered.
 * - 481 (the subscriber forgot the dialog), and any other final failure
 *   except those below: the subscription ends at once (RFC 6665 section
 *   4.2.2: "the notifier MUST remove the corresponding subscription").
 * - 408, no answer at all (Timer F), a transport error, or 503 (overload):
 *   the subscription is KEPT and the latest state is sent again after a
 *   back-off of 5 s, 30 s, 2 min, then every 10 min, until it is delivered,
 *   the subscriber refreshes (which sends the full state at once), or the
 *   subscription expires. OpenSIPS removes on 408 and a lost packet then
 *   leaves a BLF lamp stale until the phone re-subscribes (OpenSIPS issue
 *   380); we do not. A `Retry-After` on a 503 is honoured when longer.
 */
export type NotifyOutcome = 'delivered' | 'terminate' | 'retry';

/** Back-off steps after consecutive failures (ms); the last repeats. */
export const RETRY_BACKOFF_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000];

/** Classify the final status of a NOTIFY (0 = timeout or transport error). */
export function classifyNotifyStatus(status: number): NotifyOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 0 || status === 408 || status === 503) return 'retry';
  return 'terminate';
}

/** When to retry after `failures` consecutive failures. */
export function retryDelay(failures: number, retryAfterSeconds?: number): number {
  const step = RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length) - 1] ?? RETRY_BACKOFF_MS[0]!;
  return Math.max(step, (retryAfterSeconds ?? 0) * 1000);
}
