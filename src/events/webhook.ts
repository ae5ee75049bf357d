import type { StoredEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { toAuth0Log } from './log-format.js';
import { newWebhookId, StandardWebhookSigner } from './standard-webhooks.js';

export interface WebhookOptions {
  url: string;
  /** The Standard Webhooks secret, `whsec_<base64>` (see standard-webhooks.ts). */
  secret: string;
  logger: Logger;
  /** Attempts per batch, including the first (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with jitter (default 500 ms). */
  baseDelayMs?: number;
  batchSize?: number;
  /** Events waiting for delivery; beyond it the oldest are dropped and counted as failed (default 50 000). */
  maxQueue?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  onDelivered?: (count: number) => void;
  onFailed?: (count: number) => void;
}

/**
 * Delivers stored events to a webhook as JSON arrays of Auth0-shaped logs, in order, batch by batch, signed with
 * the Standard Webhooks scheme: each batch is one message with its own `webhook-id`, kept across its retries so a
 * receiver can drop duplicates. Network errors, 429 and 5xx are retried with exponential backoff; other 4xx answers
 * mean the receiver refuses the batch, which is dropped and logged. A redirect is never followed (it would send the
 * signed body to wherever the receiver points) and counts as a refusal. Events carry ids and counters only, never
 * tokens or secrets.
 */
export class WebhookDelivery {
  readonly #o: Required<Omit<WebhookOptions, 'onDelivered' | 'onFailed'>> & Pick<WebhookOptions, 'onDelivered' | 'onFailed'>;
  readonly #signer: StandardWebhookSigner;
  #queue: StoredEvent[] = [];
  #running: Promise<void> | null = null;
  #stopped = false;
  #warnedFull = false;

  constructor(options: WebhookOptions) {
    this.#o = { maxAttempts: 5, baseDelayMs: 500, batchSize: 100, maxQueue: 50_000, timeoutMs: 5_000, fetch: globalThis.fetch, now: Date.now, ...options };
    this.#signer = new StandardWebhookSigner(options.secret);
  }

  enqueue(events: readonly StoredEvent[]): void {
    if (this.#stopped) return;
    for (const e of events) this.#queue.push(e);
    // A receiver that is down or slow must not make the queue (and this process's memory) grow without bound.
    const excess = this.#queue.length - this.#o.maxQueue;
    if (excess > 0) {
      this.#queue.splice(0, excess);
      this.#o.onFailed?.(excess);
      if (!this.#warnedFull) this.#o.logger.warn({ dropped: excess, maxQueue: this.#o.maxQueue }, 'webhook queue full: oldest events dropped');
      this.#warnedFull = true;
    } else this.#warnedFull = false;
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#o.batchSize);
      const ok = await this.#deliver(batch);
      if (ok) this.#o.onDelivered?.(batch.length);
      else this.#o.onFailed?.(batch.length);
    }
  }

  async #deliver(batch: StoredEvent[]): Promise<boolean> {
    const body = JSON.stringify(batch.map(toAuth0Log));
    const id = newWebhookId();
    for (let attempt = 1; attempt <= this.#o.maxAttempts; attempt++) {
      let status = 0;
      try {
        const res = await this.#o.fetch(this.#o.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            // Signed afresh on each attempt: the timestamp is part of the signature and receivers bound its age.
            ...this.#signer.headers(id, this.#o.now(), body),
            'x-refreshd-delivery-attempt': String(attempt),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        if (status >= 300 && status < 400) {
          this.#o.logger.warn({ status, webhookId: id, events: batch.length }, 'webhook answered with a redirect, which is never followed; events dropped');
          return false;
        }
        if (status !== 429 && status < 500) {
          this.#o.logger.warn({ status, webhookId: id, events: batch.length }, 'webhook refused the events; dropped');
          return false;
        }
      } catch {
        status = 0;
      }
      if (attempt < this.#o.maxAttempts && !this.#stopped) {
        const delay = this.#o.baseDelayMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
    this.#o.logger.warn({ webhookId: id, events: batch.length, attempts: this.#o.maxAttempts }, 'webhook delivery failed; events dropped');
    return false;
  }

  /** Waits (bounded) for queued deliveries, then stops retrying. */
  async stop(maxWaitMs = 5_000): Promise<void> {
    if (this.#running) await Promise.race([this.#running, new Promise((r) => setTimeout(r, maxWaitMs).unref())]);
    this.#stopped = true;
  }
}
