/**
 * Real SIP peers for interop tests (SIPp, baresip, ...): find the binary on
 * PATH and decide whether the test runs. A missing peer skips the test with
 * a visible reason, unless OPENUM_REQUIRE_INTEROP=1 (CI), where it fails.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Peers the interop tests know how to install. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  sipp: 'sip-tester',
  baresip: 'baresip-core',
  twinkle: 'twinkle-console',
  'twinkle-console': 'twinkle-console',
  kamailio: 'kamailio',
  chromium: 'chromium',
};

/** Absolute path of an executable found on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when CI demands that interop tests really run (OPENUM_REQUIRE_INTEROP=1). */
export function interopRequired(): boolean {
  return process.env['OPENUM_REQUIRE_INTEROP'] === '1';
}

/**
 * The peer's path, or undefined after marking the test skipped (with the
 * reason and the package to install). With OPENUM_REQUIRE_INTEROP=1 a missing
 * peer throws instead, failing the test.
 */
export function requirePeer(t: TestContext, name: string): string | undefined {
  const path = findBinary(name);
  if (path) return path;
  const pkg = PEER_PACKAGES[name];
  const reason = `${name} not installed${pkg ? ` (apt-get install ${pkg})` : ''}`;
  if (interopRequired()) throw new Error(`${reason}; OPENUM_REQUIRE_INTEROP=1 makes this a failure`);
  t.skip(reason);
  return undefined;
}
