/**
 * Sending the phone's requests: one client transaction per attempt
 * (RFC 3261 section 17.1), digest retries (section 22.2, RFC 7616
 * section 3.3 `stale`), every request to the one configured server.
 */
import type { UserAgentCore } from '../sip/core.js';
import type { SipRequest, SipResponse } from '../sip/message/index.js';
import type { TxDestination } from '../sip/transaction/index.js';
import type { DigestClient } from './digest-client.js';
import { PhoneError } from './phone-error.js';

/** The final response and the request (the last attempt) that got it. */
export interface Exchange {
  request: SipRequest;
  response: SipResponse;
}

/**
 * Sends requests to the server through the UA core and the phone's digest
 * client. The phone talks to one server, its registrar and notifier alike,
 * so every request goes there (as to an outbound proxy) whatever its
 * Request-URI says.
 */
export class RequestSender {
  constructor(
    private readonly core: UserAgentCore,
    private readonly server: TxDestination,
    private readonly digest: DigestClient,
  ) {}

  /**
   * One request in one client transaction: resolves with the final
   * response; rejects with PhoneError `timeout` (Timer F, RFC 3261 17.1.2.2,
   * a 408 for the TU) or `unreachable` (a transport error, 17.1.4, a 503).
   */
  transact(req: SipRequest): Promise<SipResponse> {
    return new Promise<SipResponse>((resolve, reject) => {
      try {
        this.core.sendRequest(req, this.server, {
          onFinal: (res) => resolve(res),
          onTimeout: () => reject(new PhoneError('timeout', `no answer to ${req.method} from the server`)),
          onTransportError: (e) => reject(new PhoneError('unreachable', `cannot reach the server: ${e.message}`)),
        });
      } catch (e) {
        reject(new PhoneError('unreachable', `cannot send ${req.method}: ${(e as Error).message}`));
      }
    });
  }

  /**
   * Sends `make()` and answers digest challenges (RFC 3261 section 22.2):
   * - a 401/407 to a request without fresh credentials (none, or
   *   pre-emptive ones for an older nonce) is answered once with the new
   *   challenge;
   * - a 401/407 with `stale=true` (RFC 7616 section 3.3: right password, old
   *   nonce) is retried once more with the new nonce;
   * - any other 401/407 is returned: the credentials were refused.
   *
   * `make` is called for every attempt and must return a new request (new
   * branch, CSeq one higher: section 8.1.3.5). With `preemptive`, credentials
   * for the challenge learned earlier are added to the first attempt.
   */
  async send(make: () => SipRequest, preemptive: boolean): Promise<Exchange> {
    let answeredFresh = false;
    let staleRetried = false;
    let useCredentials = preemptive;
    for (;;) {
      const request = make();
      if (useCredentials) this.digest.authorize(request);
      const response = await this.transact(request);
      if (response.status !== 401 && response.status !== 407) return { request, response };
      const learned = this.digest.learn(response);
      if (learned === undefined) {
        throw new PhoneError(
          'no-challenge',
          `${request.method} got ${response.status} ${response.reason} without a digest challenge we can answer (MD5 or SHA-256, qop=auth)`,
          response.status,
        );
      }
      if (learned.stale) {
        if (staleRetried) return { request, response };
        staleRetried = true;
      } else {
        if (answeredFresh) return { request, response };
        answeredFresh = true;
      }
      useCredentials = true;
    }
  }
}
