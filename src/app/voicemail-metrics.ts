import { Counter, Gauge, type Registry } from 'prom-client';

/** Voicemail metrics (prom-client), on the server's registry. */
export interface VoicemailMetrics {
  callStarted(kind: 'deposit' | 'menu'): void;
  callEnded(outcome: string): void;
  /** RTP facts of a call that ended. */
  rtp(s: { received: number; lost: number; late: number; sent: number }): void;
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
    help: 'Voice messages stored by calls',
    registers: [registry],
  });
  const packets = new Counter({
    name: 'openum_rtp_packets_total',
    help: 'RTP packets of voicemail calls: received, lost, late (or duplicate), sent',
    labelNames: ['kind'],
    registers: [registry],
  });
  return {
    callStarted: (kind) => calls.inc({ event: `started-${kind}` }),
    callEnded: (outcome) => {
      calls.inc({ event: outcome });
      if (outcome === 'stored') deposited.inc();
    },
    rtp: (s) => {
      packets.inc({ kind: 'received' }, s.received);
      packets.inc({ kind: 'lost' }, Math.max(0, s.lost));
      packets.inc({ kind: 'late' }, s.late);
      packets.inc({ kind: 'sent' }, s.sent);
    },
  };
}
