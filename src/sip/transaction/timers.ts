/**
 * Transaction timer values, RFC 3261 section 17 and Table 4 (appendix A),
 * with Timers L and M of RFC 6026 section 8.
 *
 * Values here are those for UNRELIABLE transports. On reliable transports the
 * machines skip A, E and G and use zero for D, I, J and K
 * (RFC 3261 sections 17.1.1.2, 17.1.2.2, 17.2.1, 17.2.2).
 */

/** Tunable base values, in milliseconds. */
export interface TimerSettings {
  /** RTT estimate, RFC 3261 section 17.1.1.1 (default 500 ms). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  t2: number;
  /** Maximum duration a message remains in the network (default 5 s). */
  t4: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (RFC 3261 17.1.1.2). */
  timerD: number;
  /** Delay before the INVITE server transaction sends 100 Trying itself (RFC 3261 17.2.1: 200 ms). */
  trying: number;
}

/** Default base values of RFC 3261 section 17.1.1.1 and Table 4. */
export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32_000,
  trying: 200,
});

/** Derived timer values in milliseconds (unreliable-transport values). */
export interface TransactionTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  /** INVITE request retransmit interval, initially T1, doubles (17.1.1.2). */
  readonly A: number;
  /** INVITE transaction timeout, 64*T1 (17.1.1.2). */
  readonly B: number;
  /** Wait time for response retransmits, >= 32 s unreliable, 0 reliable (17.1.1.2). */
  readonly D: number;
  /** Non-INVITE request retransmit interval, initially T1, doubling up to T2 (17.1.2.2). */
  readonly E: number;
  /** Non-INVITE transaction timeout, 64*T1 (17.1.2.2). */
  readonly F: number;
  /** INVITE final response retransmit interval, initially T1, doubling up to T2 (17.2.1). */
  readonly G: number;
  /** Wait time for ACK receipt, 64*T1 (17.2.1). */
  readonly H: number;
  /** Wait time for ACK retransmits, T4 unreliable, 0 reliable (17.2.1). */
  readonly I: number;
  /** Wait time for non-INVITE request retransmits, 64*T1 unreliable, 0 reliable (17.2.2). */
  readonly J: number;
  /** Wait time for response retransmits, T4 unreliable, 0 reliable (17.1.2.2). */
  readonly K: number;
  /** RFC 6026 section 8.7: server "Accepted" state lifetime, 64*T1 on all transports. */
  readonly L: number;
  /** RFC 6026 section 8.4: client "Accepted" state lifetime, 64*T1 on all transports. */
  readonly M: number;
  /** RFC 3261 17.2.1: the server sends 100 Trying if the TU has not answered within this time. */
  readonly trying: number;
}

/**
 * Derives Timers A..M from T1/T2/T4 (RFC 3261 Table 4, RFC 6026 section 8).
 * Missing settings take the defaults; invalid (non-finite or negative) values
 * are replaced by the defaults too.
 */
export function deriveTimers(settings: Partial<TimerSettings> = {}): TransactionTimers {
  const t1 = pick(settings.t1, DEFAULT_TIMER_SETTINGS.t1);
  const t2 = pick(settings.t2, DEFAULT_TIMER_SETTINGS.t2);
  const t4 = pick(settings.t4, DEFAULT_TIMER_SETTINGS.t4);
  const timerD = pick(settings.timerD, DEFAULT_TIMER_SETTINGS.timerD);
  const trying = pick(settings.trying, DEFAULT_TIMER_SETTINGS.trying);
  const t64 = 64 * t1;
  return Object.freeze({
    t1,
    t2,
    t4,
    A: t1,
    B: t64,
    D: timerD,
    E: t1,
    F: t64,
    G: t1,
    H: t64,
    I: t4,
    J: t64,
    K: t4,
    L: t64,
    M: t64,
    trying,
  });
}

function pick(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}
