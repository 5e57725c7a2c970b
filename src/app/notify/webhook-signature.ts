import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature, after GitHub's and Stripe's:
 *
 *     X-Openum-Signature: t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 *
 * `t` is the UNIX time in seconds when the request was sent (each attempt is
 * signed anew, so a retry minutes later still verifies), `v1` the lower-case
 * hex HMAC-SHA256 (RFC 2104, FIPS 180-4) keyed with the webhook secret over
 * the bytes `t + "." + body`, body being the request body exactly as
 * received (do not re-serialise the JSON).
 *
 * A receiver: (1) reads the raw body; (2) splits the header on `,` into
 * `key=value` pairs; (3) computes the HMAC of `${t}.${body}` with the
 * secret; (4) compares it in constant time with each `v1` (more than one may
 * come while a secret is being changed); (5) refuses a `t` more than a few
 * minutes from its own clock (replays). {@link verifyWebhookSignature} does
 * all of it.
 */
export const SIGNATURE_HEADER = 'X-Openum-Signature';

function hmacHex(secret: string, t: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The header value for `body` sent at `nowMs` (epoch ms). */
export function signWebhook(secret: string, body: string | Uint8Array, nowMs: number): string {
  const t = String(Math.floor(nowMs / 1000));
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` (an `X-Openum-Signature` value) signs `body` with
 * `secret`, and its time is within `toleranceS` seconds of `nowMs` (epoch
 * ms, e.g. `Date.now()`).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  nowMs: number,
  toleranceS = 300,
): boolean {
  if (!header) return false;
  let t: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') t = value;
    else if (key === 'v1') candidates.push(value);
  }
  if (t === undefined || !/^\d{1,12}$/.test(t) || candidates.length === 0) return false;
  if (Math.abs(nowMs / 1000 - Number(t)) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return candidates.some((v) => {
    if (!/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(expected, Buffer.from(v, 'hex'));
  });
}
