import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Signing of outgoing HTTP calls with the Standard Webhooks scheme (https://www.standardwebhooks.com/): the headers
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`)
 * under a `whsec_<base64>` secret, so receivers verify with off-the-shelf code (the `standardwebhooks` package and
 * its ports in other languages). Shared by every caller that signs what it sends (events webhook, token hook).
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The spec's recommended secret size: 24 to 64 random bytes. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

/** Why `secret` is not a usable Standard Webhooks secret, or null when it is. Never echoes the secret. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `expected a Standard Webhooks secret, ${WEBHOOK_SECRET_PREFIX}<base64>`;
  const body = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return `the part after ${WEBHOOK_SECRET_PREFIX} must be standard base64`;
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) return `the secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${bytes}`;
  return null;
}

/** A fresh secret in the scheme's format: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A message id for `webhook-id`: unique per message, and the same on each retry of that message. */
export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signs message bodies under one secret. Construct once; throws TypeError for a malformed secret. */
export class StandardWebhookSigner {
  readonly #webhook: Webhook;

  constructor(secret: string) {
    const problem = webhookSecretProblem(secret);
    if (problem) throw new TypeError(`webhook secret: ${problem}`);
    this.#webhook = new Webhook(secret);
  }

  /** The three headers for `body` sent as message `id` at `nowMs`. */
  headers(id: string, nowMs: number, body: string): StandardWebhookHeaders {
    const timestamp = new Date(Math.floor(nowMs / 1000) * 1000);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': this.#webhook.sign(id, timestamp, body),
    };
  }
}
