/**
 * The NT hash of a password: NTOWFv1 of [MS-NLMP] section 3.3.1,
 * MD4(UNICODE(Passwd)), the one secret NTLMv2 needs (NTOWFv2 of section
 * 3.3.2 is an HMAC keyed with it). Kept per user beside the digest HA1s.
 *
 * MD4 comes from hash-wasm: Node 20's OpenSSL 3 has no MD4 (legacy provider),
 * and MD4 is not worth writing by hand. Its WebAssembly module is compiled
 * once, at import (top-level await), so the synchronous {@link ntHashSync}
 * serves the synchronous user commands.
 */
import { createMD4 } from 'hash-wasm';

const md4 = await createMD4();

/**
 * NTOWFv1 ([MS-NLMP] section 3.3.1): MD4 of the UTF-16LE password, as 32
 * lowercase hex digits. For "Password" it is a4f49c406510bdcab6824ee7c30fd852
 * (section 4.2.2.1.2).
 */
export function ntHashSync(password: string): string {
  return md4.init().update(Buffer.from(password, 'utf16le')).digest('hex');
}

/** {@link ntHashSync} behind a promise, for callers that may one day move the hashing elsewhere. */
export async function ntHash(password: string): Promise<string> {
  return ntHashSync(password);
}
