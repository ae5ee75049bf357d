import { createHmac } from 'node:crypto';
import type { StoredEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { toAuth0Log } from './log-format.js';

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key for the signature header. */
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
 * The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Including the time lets a
 * receiver refuse replays of old deliveries; compare with a constant-time function.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * Delivers stored events to a webhook as JSON arrays of Auth0-shaped logs, in order, batch by batch. Network errors,
 * 429 and 5xx are retried with exponential backoff; other 4xx answers mean the receiver refuses the batch, which is
 * dropped and logged. Events carry ids and counters only, never tokens or secrets.
 */
export class WebhookDelivery {
  readonly #o: Required<Omit<WebhookOptions, 'onDelivered' | 'onFailed'>> & Pick<WebhookOptions, 'onDelivered' | 'onFailed'>;
  #queue: StoredEvent[] = [];
  #running: Promise<void> | null = null;
  #stopped = false;
  #warnedFull = false;

  constructor(options: WebhookOptions) {
    this.#o = { maxAttempts: 5, baseDelayMs: 500, batchSize: 100, maxQueue: 50_000, timeoutMs: 5_000, fetch: globalThis.fetch, now: Date.now, ...options };
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
    for (let attempt = 1; attempt <= this.#o.maxAttempts; attempt++) {
      let status = 0;
      try {
        const res = await this.#o.fetch(this.#o.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-refreshd-signature': signWebhook(this.#o.secret, Math.floor(this.#o.now() / 1000), body),
            'x-refreshd-delivery-attempt': String(attempt),
          },
          body,
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        if (status !== 429 && status < 500) {
          this.#o.logger.warn({ status, events: batch.length }, 'webhook refused the events; dropped');
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
    this.#o.logger.warn({ events: batch.length, attempts: this.#o.maxAttempts }, 'webhook delivery failed; events dropped');
    return false;
  }

  /** Waits (bounded) for queued deliveries, then stops retrying. */
  async stop(maxWaitMs = 5_000): Promise<void> {
    if (this.#running) await Promise.race([this.#running, new Promise((r) => setTimeout(r, maxWaitMs).unref())]);
    this.#stopped = true;
  }
}
