/**
 * The unsolicited NOTIFY: the lamp state sent to a registered contact that
 * holds no subscription (README "MWI"; PROTOCOLS.md section 2). It is a
 * message-summary NOTIFY (`Event: message-summary`, body of RFC 3842
 * section 3.5) sent outside any dialog, which RFC 6665 does not define but
 * phones set up for unsolicited MWI take, as Exchange UM sends it: a fresh
 * Call-ID, no To-tag, and `Subscription-State: terminated;reason=noresource`
 * so that no phone takes it for a subscription to keep. */
import type { BodyCache } from '../events/body-cache.js';
import {
  MESSAGE_SUMMARY,
  MESSAGE_SUMMARY_TYPE,
  messageSummaryBody,
  type MessageSummaryDeps,
} from '../events/packages/message-summary/message-summary-package.js';
import { contactValue, createOutOfDialogRequest, type ViaSentBy } from '../sip/dialog/index.js';
import type { SipRequest } from '../sip/message/index.js';
import type { TxDestination } from '../sip/transaction/index.js';
import type { BindingRecord } from '../storage/ports.js';
import type { UnsolicitedSender } from './mwi-fanout.js';
import type { MwiSendHandlers } from './mwi-forwarder-runner.js';

/** What {@link createUnsolicitedSender} is built from. */
export interface UnsolicitedNotifyDeps extends Pick<MessageSummaryDeps, 'state' | 'domain'> {
  /** Send in a client transaction (RFC 3261 section 17.1.2): `core.sendRequest(req, dest, handlers)`. */
  send(req: SipRequest, dest: TxDestination, handlers: MwiSendHandlers): void;
  /** Our Via sent-by for a protocol: `core.viaFor(protocol)`. */
  viaFor(protocol: TxDestination['protocol']): ViaSentBy;
  /** The message-summary bodies the subscriptions' NOTIFYs use too: one body per mailbox version. */
  bodies: BodyCache<number>;
}

/**
 * Where a request to a registered contact goes: its flow (the connection
 * the REGISTER came over, cf. RFC 5626 section 5.3), or (UDP) the address
 * the REGISTER came from (NAT-friendly).
 */
export function bindingDestination(b: BindingRecord): TxDestination {
  const protocol = b.source.protocol as TxDestination['protocol'];
  return {
    protocol,
    address: b.source.address,
    port: b.source.port,
    reliable: protocol !== 'udp',
    ...(b.flowId !== null && protocol !== 'udp' && { flowId: b.flowId }),
  };
}

/**
 * The sender {@link MwiFanout} calls for one contact: builds the NOTIFY
 * to the binding's contact URI, From and To the user's AOR, and resolves
 * with the final status (0 on a timeout or a transport error, RFC 3261
 * section 17.1.2.2 Timer F).
 */
export function createUnsolicitedSender(d: UnsolicitedNotifyDeps): UnsolicitedSender {
  const summary = { state: d.state, domain: d.domain };
  return (b, st) =>
    new Promise<number>((resolve) => {
      const dest = bindingDestination(b);
      const aor = `<sip:${b.user}@${d.domain}>`;
      const via = d.viaFor(dest.protocol);
      const out = createOutOfDialogRequest('NOTIFY', b.uri, aor, aor, {
        via,
        // RFC 6665 section 8.1.2: a NOTIFY carries a Contact (twinkle answers 400 without one).
        contact: contactValue(via.host, via.port, dest.protocol),
        headers: [
          ['Event', MESSAGE_SUMMARY],
          ['Subscription-State', 'terminated;reason=noresource'],
        ],
        body: messageSummaryBody(st.mailbox, summary, d.bodies),
        contentType: MESSAGE_SUMMARY_TYPE,
      });
      d.send(out.request, dest, {
        onFinal: (res) => resolve(res.status),
        onTimeout: () => resolve(0),
        onTransportError: () => resolve(0),
      });
    });
}
