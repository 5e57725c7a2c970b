/**
 * Server settings the old peers shipped by Debian 12 need, found by running
 * them (see test/interop/README.md):
 *
 * - SIPp 3.6.1 joins all WWW-Authenticate headers and answers the first
 *   `algorithm=` it finds; it knows MD5 and AKAv1-MD5 only and aborts
 *   ("createAuthHeader: authentication must use MD5 or AKAv1-MD5") when the
 *   first challenge is SHA-256. Offering MD5 first works.
 * - baresip 1.0.0 (libre) fails the REGISTER with ENOSYS ("Register:
 *   Function not implemented") when ANY challenge is not MD5, whatever the
 *   order. Only an MD5-only offer works.
 */

/** `openum serve` arguments for SIPp 3.6.1 interop: MD5 offered first, SHA-256 second. */
export const SIPP_SERVE_ARGS: readonly string[] = ['--auth-algorithms', 'MD5,SHA-256'];

/** `openum serve` arguments for baresip 1.0.0 interop: MD5 only. */
export const BARESIP_SERVE_ARGS: readonly string[] = ['--auth-algorithms', 'MD5'];
