/**
 * Building a response to a request (RFC 3261 section 8.2.6).
 */
import type { HeaderField } from './header-field.js';
import { type SipRequest, SipResponse } from './message.js';
import { randomToken } from './random.js';
import { reasonPhrase } from './reasons.js';

function copy(name: string, h: HeaderField, value = h.value): HeaderField {
  return { name, key: h.key, value };
}

/**
 * RFC 3261 8.2.6.2: the response copies every Via (in order), From,
 * Call-ID and CSeq of the request, and To with a tag added when the
 * request's To has none and the status is above 100 (`toTag`, or a random
 * one). 8.2.6.1: a 100 Trying also copies Timestamp. Throws SipParseError
 * when the status is not 100-699.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const headers: HeaderField[] = [];
  for (const h of req.headers) if (h.key === 'via') headers.push(copy('Via', h));
  let needTag = false;
  if (status > 100) {
    try {
      needTag = !req.to.params.has('tag');
    } catch {
      needTag = false;
    }
  }
  for (const h of req.headers) {
    switch (h.key) {
      case 'from':
        headers.push(copy('From', h));
        break;
      case 'to':
        headers.push(copy('To', h, needTag ? h.value + ';tag=' + (toTag ?? randomToken()) : h.value));
        break;
      case 'call-id':
        headers.push(copy('Call-ID', h));
        break;
      case 'cseq':
        headers.push(copy('CSeq', h));
        break;
      case 'timestamp':
        if (status === 100) headers.push(copy('Timestamp', h));
        break;
      default:
        break;
    }
  }
  const res = new SipResponse(status, reason ?? reasonPhrase(status));
  res.headers = headers;
  return res;
}
