import type { MessageRecord } from '../../storage/ports.js';

/** The event a deposit sends (`X-Openum-Event` and the body's `event`). */
export const DEPOSIT_EVENT = 'message.deposited';

/** The JSON body of a deposit webhook. */
export interface DepositEventBody {
  event: typeof DEPOSIT_EVENT;
  message: {
    id: string;
    mailbox: string;
    /** The caller's number, null when withheld or unknown. */
    from: string | null;
    fromName: string | null;
    /** ISO 8601, UTC. */
    receivedAt: string;
    durationMs: number;
    urgent: boolean;
    /** Why the call was diverted ('busy', 'unavailable', ...), or null. */
    reason: string | null;
    origin: MessageRecord['origin'];
    /** The WAV, through the REST API (it asks for a token). */
    audioUrl: string;
  };
}

/** `publicBaseUrl` (e.g. `http://voicemail.example.com:8080`) + `/api/v1/messages/ID/audio`. */
export function audioUrl(publicBaseUrl: string, id: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/messages/${encodeURIComponent(id)}/audio`;
}

export function depositEventBody(m: MessageRecord, publicBaseUrl: string): DepositEventBody {
  return {
    event: DEPOSIT_EVENT,
    message: {
      id: m.id,
      mailbox: m.mailbox,
      from: m.callerNumber,
      fromName: m.callerName,
      receivedAt: new Date(m.receivedAt).toISOString(),
      durationMs: m.durationMs,
      urgent: m.urgent,
      reason: m.reason,
      origin: m.origin,
      audioUrl: audioUrl(publicBaseUrl, m.id),
    },
  };
}
