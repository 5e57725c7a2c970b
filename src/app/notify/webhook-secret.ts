import { randomBytes } from 'node:crypto';
import type { SettingsStore } from '../../storage/ports.js';

/** The settings key of the generated secret. */
export const WEBHOOK_SECRET_SETTING = 'webhook-secret';

/**
 * The webhook's HMAC key: `--webhook-secret` when given (never stored);
 * else the one generated on the first start with `--webhook` (32 random
 * bytes, hex) and kept in the settings table, so receivers keep working
 * across restarts. `generated` is true only on that first start: the
 * caller logs the secret then, once, for the receiver's owner to copy.
 */
export function resolveWebhookSecret(
  settings: SettingsStore,
  configured: string | null,
): { secret: string; generated: boolean } {
  if (configured !== null) return { secret: configured, generated: false };
  const kept = settings.getSetting(WEBHOOK_SECRET_SETTING);
  if (kept) return { secret: kept, generated: false };
  const secret = randomBytes(32).toString('hex');
  settings.setSetting(WEBHOOK_SECRET_SETTING, secret);
  return { secret, generated: true };
}
