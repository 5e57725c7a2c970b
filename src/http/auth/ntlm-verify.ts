/**
 * NTLMv2 response verification, the server side of [MS-NLMP] section 3.3.2
 * (node:crypto's HMAC-MD5; HMAC-MD5 is still in OpenSSL 3's default provider).
 * NTLMv1, LM-only and anonymous AUTHENTICATE messages are refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NtlmFlags, type AuthenticateMessage } from './ntlm-messages.js';

/** Bytes of the NTLMv2_CLIENT_CHALLENGE before its AvPairs ([MS-NLMP] section 2.2.2.7): 1+1+6+8+8+4. */
const CLIENT_CHALLENGE_HEAD = 28;
/** NTProofStr is an HMAC-MD5. */
const PROOF = 16;

function hmacMd5(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

/**
 * NTOWFv2 = ResponseKeyNT ([MS-NLMP] section 3.3.2):
 * HMAC_MD5(NT hash, UNICODE(Uppercase(User) + UserDom)); the domain keeps its case.
 */
export function ntowfv2(ntHash: Buffer, user: string, domain: string): Buffer {
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/**
 * NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge + temp) ([MS-NLMP]
 * section 3.3.2), where temp is the NTLMv2_CLIENT_CHALLENGE the client sent
 * after its own NTProofStr (section 2.2.2.8).
 */
export function ntProofStr(responseKeyNT: Buffer, serverChallenge: Buffer, temp: Buffer): Buffer {
  return hmacMd5(responseKeyNT, serverChallenge, temp);
}

/** The outcome of {@link verifyNtlmv2}. */
export type NtlmVerdict = { ok: true } | { ok: false; reason: string };

/** Why an AUTHENTICATE message cannot be checked as NTLMv2 at all, or undefined when it can. */
export function ntlmv2Refusal(msg: AuthenticateMessage): string | undefined {
  if ((msg.flags & NtlmFlags.ANONYMOUS) !== 0 || (msg.user === '' && msg.ntResponse.length === 0))
    return 'anonymous NTLM refused';
  if (msg.ntResponse.length === 0) return 'LM-only response refused';
  if (msg.ntResponse.length === 24) return 'NTLMv1 response refused';
  if (msg.ntResponse.length < PROOF + CLIENT_CHALLENGE_HEAD) return 'NT response too short for NTLMv2';
  // RespType and HiRespType of NTLMv2_CLIENT_CHALLENGE are both 1 (section 2.2.2.7).
  if (msg.ntResponse[PROOF] !== 1 || msg.ntResponse[PROOF + 1] !== 1) return 'not an NTLMv2 client challenge';
  return undefined;
}

/**
 * Verify an AUTHENTICATE message's NTLMv2 response against the user's NT
 * hash (hex) and the ServerChallenge this connection was given
 * ([MS-NLMP] section 3.3.2): the first 16 bytes of NtChallengeResponse must
 * equal NTProofStr, compared in constant time. The UserDom tried is the
 * DomainName as sent, then the empty one (clients differ in what they hash).
 */
export function verifyNtlmv2(msg: AuthenticateMessage, serverChallenge: Buffer, ntHashHex: string): NtlmVerdict {
  const refusal = ntlmv2Refusal(msg);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  if (!/^[0-9a-f]{32}$/i.test(ntHashHex)) return { ok: false, reason: 'no usable NT hash' };
  const ntHash = Buffer.from(ntHashHex, 'hex');
  const proof = msg.ntResponse.subarray(0, PROOF);
  const temp = msg.ntResponse.subarray(PROOF);
  const domains = msg.domain === '' ? [''] : [msg.domain, ''];
  let match = false;
  for (const domain of domains) {
    const expected = ntProofStr(ntowfv2(ntHash, msg.user, domain), serverChallenge, temp);
    // No early exit: the same work whichever domain matches.
    if (timingSafeEqual(expected, proof)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'wrong user name or password' };
}
