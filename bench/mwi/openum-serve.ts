/**
 * `openum serve` for the MWI benchmark: node dist/bench/mwi/openum-serve.js
 * serve --data DIR ... (the same arguments as dist/src/cli/main.js).
 *
 * Why a wrapper: the notifier caps new subscriptions per source address
 * (DEFAULT_SUBSCRIBE_LIMITS in src/events/notifier.ts: 50/s, burst 200, and
 * the unauthenticated first SUBSCRIBE of a digest exchange takes a token
 * too). Every SIPp subscriber of the benchmark sends from 127.0.0.1, so with
 * the caps a setup benchmark measures the cap, not the server. Kamailio's
 * anchor configuration has no such cap either. Until `openum serve` has a
 * setting for it, this wrapper raises the per-address (and per-user) caps
 * before the server is built, when BENCH_MWI_LIFT_CAPS is not "0".
 * Nothing else changes: same modules, same CLI, same defaults.
 */
import { DEFAULT_SUBSCRIBE_LIMITS } from '../../src/events/notifier.js';

if (process.env['BENCH_MWI_LIFT_CAPS'] !== '0') {
  const limits = DEFAULT_SUBSCRIBE_LIMITS as { -readonly [K in keyof typeof DEFAULT_SUBSCRIBE_LIMITS]: number };
  limits.perAddressPerSecond = 1e9;
  limits.perAddressBurst = 1e9;
}
await import('../../src/cli/main.js');
