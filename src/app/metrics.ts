import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { NotifierHooks } from '../events/notifier.js';

/** Prometheus metrics of the server (prom-client), served at /metrics. */
export interface ServerMetrics {
  registry: Registry;
  notifierHooks: NotifierHooks;
  unsolicited(outcome: 'delivered' | 'refused' | 'failed'): void;
  mwiUpdate(source: string): void;
  mwiForward(target: string, outcome: string): void;
}

/** The kind of an MWI source for the metric label: sip, api, cli, voicemail. */
function sourceKind(source: string): string {
  const i = source.indexOf(':');
  const k = i < 0 ? source : source.slice(0, i);
  return k === 'token' ? 'api' : k;
}

/**
 * Create the registry: process metrics, active subscriptions and
 * registrations (read at scrape time), NOTIFYs by outcome, unsolicited
 * NOTIFYs by outcome, MWI updates by source, throttled SUBSCRIBEs.
 */
export function createMetrics(live: { subscriptions(): number; registrations(): number }): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openum_' });
  new Gauge({
    name: 'openum_subscriptions_active',
    help: 'Active RFC 6665 subscriptions',
    registers: [registry],
    collect() {
      this.set(live.subscriptions());
    },
  });
  new Gauge({
    name: 'openum_registrations_active',
    help: 'Registered contacts (bindings)',
    registers: [registry],
    collect() {
      this.set(live.registrations());
    },
  });
  const notifies = new Counter({
    name: 'openum_notify_total',
    help: 'In-dialog NOTIFYs by event package and outcome',
    labelNames: ['event', 'outcome'],
    registers: [registry],
  });
  const unsolicited = new Counter({
    name: 'openum_unsolicited_notify_total',
    help: 'Unsolicited MWI NOTIFYs by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const updates = new Counter({
    name: 'openum_mwi_updates_total',
    help: 'MWI updates accepted, by source kind',
    labelNames: ['source'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'openum_subscribe_throttled_total',
    help: 'SUBSCRIBEs refused by the churn caps',
    registers: [registry],
  });
  const subs = new Counter({
    name: 'openum_subscriptions_total',
    help: 'Subscriptions started and ended',
    labelNames: ['change'],
    registers: [registry],
  });
  const forwards = new Counter({
    name: 'openum_mwi_forward_total',
    help: 'Mailbox changes sent to --mwi-target servers, by target and outcome',
    labelNames: ['target', 'outcome'],
    registers: [registry],
  });
  return {
    registry,
    notifierHooks: {
      onNotifySent: (event, outcome) => notifies.inc({ event, outcome }),
      onThrottled: () => throttled.inc(),
      onSubscriptionStart: () => subs.inc({ change: 'started' }),
      onSubscriptionEnd: () => subs.inc({ change: 'ended' }),
    },
    unsolicited: (outcome) => unsolicited.inc({ outcome }),
    mwiUpdate: (source) => updates.inc({ source: sourceKind(source) }),
    mwiForward: (target, outcome) => forwards.inc({ target, outcome }),
  };
}
