import type { Clock } from '../../base/clock.js';
import type { MessageRecord, SettingsStore } from '../../storage/ports.js';
import type { NotifyConfig } from '../config.js';
import { MessageMailer, type MailAudio, type MailOutcomeDetail, type MailUser } from './mailer.js';
import type { DeliveryOutcome } from './retry-queue.js';
import { WebhookSender, type WebhookOutcomeDetail } from './webhook.js';
import { resolveWebhookSecret, WEBHOOK_SECRET_SETTING } from './webhook-secret.js';

/** The channel of a notification, for the metric label. */
export type NotifyChannel = 'webhook' | 'email';

/** What the notifications log (pino's Logger fits). */
export interface NotifyLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DepositNotificationsOptions {
  webhook?: WebhookSender | null;
  mailer?: MessageMailer | null;
}

/** What {@link DepositNotifications.fromConfig} needs beside the settings. */
export interface DepositNotificationsDeps {
  /** Where the generated webhook secret is kept. */
  settings: SettingsStore;
  /** The REST API as seen from outside, for the webhook's audioUrl, e.g. `http://voicemail.example.com:8080`. */
  publicBaseUrl: string;
  log?: NotifyLog;
  clock?: Clock;
  /** Each outcome, for metrics (e.g. a counter by channel and outcome). */
  onOutcome?: (channel: NotifyChannel, outcome: DeliveryOutcome) => void;
}

/**
 * The two notifications of a deposit: the webhook (when `--webhook`) and
 * the e-mail (when `--smtp` and the user has an address). {@link onDeposit}
 * queues them and returns at once; it never throws.
 */
export class DepositNotifications {
  readonly webhook: WebhookSender | null;
  readonly mailer: MessageMailer | null;

  constructor(opts: DepositNotificationsOptions) {
    this.webhook = opts.webhook ?? null;
    this.mailer = opts.mailer ?? null;
  }

  /**
   * Build from the serve settings: only the channels configured. The webhook
   * secret is `--webhook-secret`, else the one kept in the settings table,
   * else a new one, stored, and logged this once (info) for the receiver's
   * owner to copy.
   */
  static fromConfig(config: NotifyConfig, deps: DepositNotificationsDeps): DepositNotifications {
    const { log, onOutcome } = deps;
    let webhook: WebhookSender | null = null;
    if (config.webhook) {
      const { secret, generated } = resolveWebhookSecret(deps.settings, config.webhookSecret);
      if (generated)
        log?.info(
          { webhookSecret: secret, setting: WEBHOOK_SECRET_SETTING },
          'webhook secret generated (kept in the settings table; give --webhook-secret to choose one)',
        );
      webhook = new WebhookSender({
        url: config.webhook,
        secret,
        publicBaseUrl: deps.publicBaseUrl,
        ...(deps.clock && { clock: deps.clock }),
        onOutcome: (outcome, detail) => {
          onOutcome?.('webhook', outcome);
          if (log) logOutcome(log, 'webhook', outcome, detail);
        },
      });
    }
    let mailer: MessageMailer | null = null;
    if (config.smtp) {
      mailer = new MessageMailer({
        smtpUrl: config.smtp,
        from: config.smtpFrom,
        ...(deps.clock && { clock: deps.clock }),
        onOutcome: (outcome, detail) => {
          onOutcome?.('email', outcome);
          if (log) logOutcome(log, 'email', outcome, detail);
        },
      });
    }
    return new DepositNotifications({ webhook, mailer });
  }

  /** True when there is a channel at all. */
  get enabled(): boolean {
    return this.webhook !== null || this.mailer !== null;
  }

  /** A message was stored: queue its webhook and, if the user has an address, its e-mail. Never throws. */
  onDeposit(message: MessageRecord, user: MailUser, audio: MailAudio): void {
    try {
      this.webhook?.send(message);
    } catch {
      // a notification never fails a deposit
    }
    try {
      this.mailer?.send(message, user, audio);
    } catch {
      // idem
    }
  }

  stop(): void {
    this.webhook?.stop();
    this.mailer?.stop();
  }
}

function logOutcome(
  log: NotifyLog,
  channel: NotifyChannel,
  outcome: DeliveryOutcome,
  detail: WebhookOutcomeDetail | MailOutcomeDetail,
): void {
  const fields = { channel, outcome, ...detail };
  if (outcome === 'delivered') log.debug(fields, `deposit ${channel} delivered`);
  else if (outcome === 'retry') log.info(fields, `deposit ${channel} failed, will retry`);
  else log.warn(fields, `deposit ${channel} ${outcome === 'dropped' ? 'dropped (queue full)' : 'given up'}`);
}
