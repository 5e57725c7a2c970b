/**
 * Which mailbox a call is for, and why it reached voicemail, in the order a
 * voicemail server looks (the UM role of PROTOCOLS section 6):
 * 1. RFC 4458 voicemail URI parameters on the Request-URI (`target=`,
 *    `cause=`);
 * 2. History-Info (RFC 7044): the last entry that was retargeted, i.e. whose
 *    successor carries a `cause` URI parameter (RFC 4458), an embedded Reason
 *    with a cause, or an `mp`/`rc` header parameter (section 10.1);
 * 3. Diversion (RFC 5806): the first header (the latest diversion) and its
 *    `reason`;
 * 4. the Request-URI's user, unless it is the pilot (then: the menu).
 */
import { parseNameAddr, parseUri, SipParseError, uriUser, type SipRequest, type Uri } from '../sip/message/index.js';

/** Which greeting a deposit plays (Asterisk's unavail/busy, Exchange UM's call answering rules). */
export type DiversionReason = 'busy' | 'unavailable' | 'unconditional';

/** What a call to voicemail asks for. */
export type CallTarget =
  | {
      kind: 'deposit';
      mailbox: string;
      reason: DiversionReason | undefined;
      via: 'rfc4458' | 'history-info' | 'diversion' | 'request-uri';
    }
  | { kind: 'menu' };

/** RFC 4458 section 3.1 causes (SIP response codes) to the greeting they call for. */
export function reasonOfCause(cause: string | null | undefined): DiversionReason | undefined {
  switch (cause) {
    case '486':
    case '600':
      return 'busy';
    case '302':
      return 'unconditional';
    case '404':
    case '408':
    case '480':
    case '487':
    case '503':
      return 'unavailable';
    default:
      return undefined;
  }
}

/** RFC 5806 section 3 diversion reasons to greetings. */
function reasonOfDiversion(reason: string | null | undefined): DiversionReason | undefined {
  switch (reason?.toLowerCase()) {
    case 'user-busy':
      return 'busy';
    case 'unconditional':
      return 'unconditional';
    case 'no-answer':
    case 'unavailable':
    case 'time-of-day':
    case 'do-not-disturb':
    case 'away':
    case 'deflection':
    case 'follow-me':
    case 'out-of-service':
      return 'unavailable';
    default:
      return undefined;
  }
}

/** The user part of a URI given as text (`sip:alice@example.com`, `tel:+1555`), or undefined. */
function userOf(text: string): string | undefined {
  try {
    return uriUser(parseUri(text)) || undefined;
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}

/** A cause in a History-Info URI: the `cause` parameter (RFC 4458), else an embedded `Reason` header's cause (RFC 7044 section 9.2). */
function causeIn(uri: Uri): string | undefined {
  if (!('params' in uri)) return undefined;
  const c = uri.params.get('cause');
  if (c) return c;
  if (!('headers' in uri)) return undefined;
  for (const [name, value] of uri.headers) {
    if (name.toLowerCase() !== 'reason') continue;
    const m = /;\s*cause\s*=\s*(\d{3})/i.exec(value);
    if (m) return m[1];
  }
  return undefined;
}

/** RFC 7044 index `1.1.2` as numbers, for ordering. */
function indexKey(index: string): number[] {
  return index.split('.').map((p) => Number.parseInt(p, 10) || 0);
}

function compareIndex(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** History-Info: the last retargeted entry and its cause (RFC 7044 sections 9.1 and 10.1). */
function fromHistoryInfo(req: SipRequest): { mailbox: string; reason: DiversionReason | undefined } | undefined {
  const entries: { uri: Uri; index: number[]; retargeted: boolean }[] = [];
  for (const v of req.getHeaderList('History-Info')) {
    try {
      const na = parseNameAddr(v);
      const index = na.params.get('index');
      entries.push({
        uri: na.uri,
        index: indexKey(index ?? String(entries.length + 1)),
        retargeted: na.params.has('mp') || na.params.has('rc') || causeIn(na.uri) !== undefined,
      });
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      // an entry we cannot read is skipped: History-Info is advisory
    }
  }
  entries.sort((a, b) => compareIndex(a.index, b.index));
  for (let i = entries.length - 1; i > 0; i--) {
    const next = entries[i];
    const prev = entries[i - 1];
    if (!next || !prev || !next.retargeted) continue;
    const mailbox = uriUser(prev.uri);
    if (mailbox) return { mailbox, reason: reasonOfCause(causeIn(next.uri)) };
  }
  return undefined;
}

/** Diversion (RFC 5806): the first value is the latest diversion. */
function fromDiversion(req: SipRequest): { mailbox: string; reason: DiversionReason | undefined } | undefined {
  const first = req.getHeaderList('Diversion')[0];
  if (first === undefined) return undefined;
  try {
    const na = parseNameAddr(first);
    const mailbox = uriUser(na.uri);
    return mailbox ? { mailbox, reason: reasonOfDiversion(na.params.get('reason')) } : undefined;
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}

/**
 * The target of an INVITE to voicemail. `pilot` is the user part of the
 * pilot number (`voicemail`, configurable); a Request-URI to the pilot with
 * no other indication is the menu.
 */
export function callTargetOf(req: SipRequest, pilot: string): CallTarget {
  const uri = req.uri;
  if ('params' in uri) {
    const target = uri.params.get('target');
    if (target) {
      const mailbox = userOf(target);
      if (mailbox) return { kind: 'deposit', mailbox, reason: reasonOfCause(uri.params.get('cause')), via: 'rfc4458' };
    }
  }
  const hi = fromHistoryInfo(req);
  if (hi && hi.mailbox !== pilot) return { kind: 'deposit', ...hi, via: 'history-info' };
  const div = fromDiversion(req);
  if (div && div.mailbox !== pilot) return { kind: 'deposit', ...div, via: 'diversion' };
  const user = uriUser(uri);
  if (!user || user === pilot) return { kind: 'menu' };
  return {
    kind: 'deposit',
    mailbox: user,
    reason: reasonOfCause('params' in uri ? uri.params.get('cause') : undefined),
    via: 'request-uri',
  };
}
