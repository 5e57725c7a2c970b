/**
 * `openum` with one change, for bench:vm only: a source address given in
 * BENCH_UNTHROTTLED (comma-separated, e.g. `127.0.0.1`) is never held to a
 * RateLimiter, as the notifier already exempts `--trust` peers
 * (`exemptAddress`). Without it the voicemail's per-address call rate
 * (2 new calls per second, burst 10, applied to trusted PBXs too) refuses all
 * but ~2 calls a second from SIPp with `503 Service Unavailable (call rate)`,
 * and no load step could reach more than a few dozen concurrent calls
 * (bench/vm/README.md, "Finding"). Everything else is the shipped CLI.
 *
 *   node dist/bench/vm/serve-trusted-unthrottled.js serve --data DIR ...
 */
import { RateLimiter } from '../../src/base/rate-limiter.js';

const exempt = new Set(
  (process.env['BENCH_UNTHROTTLED'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
if (exempt.size > 0) {
  const take = RateLimiter.prototype.take;
  RateLimiter.prototype.take = function (this: RateLimiter, key: string, now: number): boolean {
    return exempt.has(key) || take.call(this, key, now);
  };
}
// the CLI parses process.argv when imported: after the patch
await import('../../src/cli/main.js');
