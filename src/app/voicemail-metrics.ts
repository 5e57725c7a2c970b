import { Counter, Gauge, type Registry } from 'prom-client';

/** Voicemail metrics (prom-client), on the server's registry. */
export interface VoicemailMetrics {
  callStarted(kind: 'deposit' | 'menu'): void;
  callEnded(outcome: string): void;
  /** A message was stored (a call or the API). */
  deposited(): void;
  /** RTP facts of a call that ended. */
  rtp(s: { received: number; lost: number; late: number; sent: number }): void;
  /** A webhook or e-mail attempt's outcome. */
  notification(channel: string, outcome: string): void;
}

/**
 * Calls active and total by outcome, messages deposited (a call's
 * `stored` outcome or an API deposit), RTP packets received, lost and late,
 * and the playout clock's underruns (read at scrape time).
 */
export function createVoicemailMetrics(
  registry: Registry,
  live: { activeCalls(): number; underruns(): number },
): VoicemailMetrics {
  new Gauge({
    name: 'openum_calls_active',
    help: 'Voicemail calls in progress',
    registers: [registry],
    collect() {
      this.set(live.activeCalls());
    },
  });
  new Gauge({
    name: 'openum_playout_underruns',
    help: 'Times the playout clock fell more than 100 ms behind and skipped audio',
    registers: [registry],
    collect() {
      this.set(live.underruns());
    },
  });
  const calls = new Counter({
    name: 'openum_calls_total',
    help: 'Voicemail calls by kind when they start, by outcome when they end',
    labelNames: ['event'],
    registers: [registry],
  });
  const deposited = new Counter({
    name: 'openum_messages_deposited_total',
    help: 'Voice messages stored, by calls and the API',
    registers: [registry],
  });
  const packets = new Counter({
    name: 'openum_rtp_packets_total',
    help: 'RTP packets of voicemail calls: received, lost, late (or duplicate), sent',
    labelNames: ['kind'],
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'openum_deposit_notifications_total',
    help: 'Webhook and e-mail notifications of new messages, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  return {
    notification: (channel, outcome) => notifications.inc({ channel, outcome }),
    callStarted: (kind) => calls.inc({ event: `started-${kind}` }),
    callEnded: (outcome) => calls.inc({ event: outcome }),
    deposited: () => deposited.inc(),
    rtp: (s) => {
      packets.inc({ kind: 'received' }, s.received);
      packets.inc({ kind: 'lost' }, Math.max(0, s.lost));
      packets.inc({ kind: 'late' }, s.late);
      packets.inc({ kind: 'sent' }, s.sent);
    },
  };
}
