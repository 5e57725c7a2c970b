/**
 * The phone's registration (RFC 3261 section 10.2): REGISTER its one
 * Contact, learn the expiry granted, refresh, and remove it (Expires: 0).
 */
import { createOutOfDialogRequest, type ViaSentBy } from '../sip/dialog/index.js';
import { SipUri, parseUri, randomToken, type SipResponse } from '../sip/message/index.js';
import { PhoneError } from './phone-error.js';
import type { RequestSender } from './request-sender.js';

/** Who registers, and where. */
export interface RegistrationIdentity {
  /** The address-of-record, `sip:alice@example.com` (To and From, section 10.2). */
  aor: string;
  /** The registrar's Request-URI, `sip:example.com` (section 10.2: "the domain of the location service"). */
  registrarUri: string;
  /** Our Contact URI. */
  contact: string;
  /** Our Via sent-by for the next request (it may change when a connection is re-opened). */
  via(): ViaSentBy;
}

/** True when two URIs name the same contact (user, host, port and transport compared; RFC 3261 section 19.1.4, loosely). */
function sameContact(a: SipUri, b: SipUri): boolean {
  return (
    a.user === b.user &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    (a.port ?? 0) === (b.port ?? 0) &&
    (a.transport ?? 'udp') === (b.transport ?? 'udp')
  );
}

/**
 * RFC 3261 section 10.2.4: the expiry of our binding is the `expires`
 * parameter of our Contact in the 200, else the Expires header, else what
 * we asked for.
 */
export function grantedExpiry(res: SipResponse, contact: string, asked: number): number {
  let ours: SipUri | undefined;
  try {
    const u = parseUri(contact);
    if (u instanceof SipUri) ours = u;
  } catch {
    ours = undefined;
  }
  try {
    for (const c of res.contacts) {
      const uri = c.nameAddr?.uri;
      if (ours === undefined || !(uri instanceof SipUri) || !sameContact(uri, ours)) continue;
      const e = c.nameAddr?.params.get('expires');
      if (e !== undefined && e !== null && /^\d{1,10}$/.test(e)) return Number(e);
    }
    return res.expires ?? asked;
  } catch {
    return asked; // a malformed Contact or Expires in the 200: keep what we asked for
  }
}

/** One registration of one Contact, with one Call-ID and a rising CSeq (section 10.2.4). */
export class Registration {
  private readonly callId = randomToken();
  private cseq = 0;

  constructor(
    private readonly sender: RequestSender,
    private readonly id: RegistrationIdentity,
  ) {}

  /**
   * REGISTER our Contact for `expires` seconds (0 removes it, section
   * 10.2.2). Resolves with the seconds granted; a 423 is retried once with
   * the Min-Expires it names (section 10.3 step 7). Rejects with PhoneError:
   * `auth-failed` for 403 or refused credentials, `refused` for other
   * failures, `timeout`, `unreachable`, `no-challenge`.
   */
  async register(expires: number): Promise<number> {
    let asked = expires;
    for (let attempt = 0; ; attempt++) {
      const { response } = await this.sender.send(() => this.build(asked), true);
      const s = response.status;
      if (s >= 200 && s < 300) return asked === 0 ? 0 : grantedExpiry(response, this.id.contact, asked);
      const min = Number(response.getHeader('Min-Expires'));
      if (s === 423 && attempt === 0 && Number.isInteger(min) && min > asked) {
        asked = min;
        continue;
      }
      throw registerFailure(response);
    }
  }

  private build(expires: number): ReturnType<typeof createOutOfDialogRequest>['request'] {
    this.cseq += 1;
    return createOutOfDialogRequest('REGISTER', this.id.registrarUri, this.id.aor, this.id.aor, {
      via: this.id.via(),
      contact: this.id.contact,
      callId: this.callId,
      cseq: this.cseq,
      headers: [['Expires', String(expires)]],
    }).request;
  }
}

function registerFailure(res: SipResponse): PhoneError {
  const what = `${res.status} ${res.reason}`;
  if (res.status === 403 || res.status === 401 || res.status === 407) {
    return new PhoneError('auth-failed', `registration refused: ${what}`, res.status);
  }
  if (res.status === 404)
    return new PhoneError('refused', `registration refused: ${what} (no such user on the server)`, res.status);
  return new PhoneError('refused', `registration refused: ${what}`, res.status);
}
