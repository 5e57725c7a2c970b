import type { SipMessage } from '../message/index.js';

/** Transport protocols a transaction can run over (mirrors the transport layer's Endpoint). */
export type TxProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * Where a message goes to (or came from). `reliable` selects the RFC 3261
 * section 17 timer behaviour: no retransmissions (A, E, G) and zero wait
 * timers (D, I, J, K) on reliable transports. `flowId` names a
 * connection-oriented flow to reuse (RFC 3261 18.2.2, RFC 5626).
 */
export interface TxDestination {
  protocol: TxProtocol;
  address: string;
  port: number;
  flowId?: string;
  reliable: boolean;
}

/**
 * Hands a message to the transport: a SipMessage to serialize, or bytes
 * already serialized (a Completed transaction keeps only the bytes of its
 * final response). A transport failure is reported by throwing or by
 * returning a promise that rejects; the owning transaction then follows
 * RFC 3261 section 17.1.4 / 17.2.4.
 */
export type TxSend = (msg: SipMessage | Buffer, dest: TxDestination) => void | Promise<void>;
