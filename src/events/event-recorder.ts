import type { EventSink, SecurityEvent, StoredEvent } from '../core/events.js';
import { newEventId } from '../core/event-ids.js';
import type { Logger } from '../core/logger.js';
import type { EventStore } from '../ports/store.js';

export interface EventRecorderOptions {
  /** How often queued events are written (default 250 ms). */
  flushIntervalMs?: number;
  /** Rows per INSERT (default 500). */
  batchSize?: number;
  /** Events kept while the database is unreachable; beyond it the oldest are dropped and counted (default 50 000). */
  maxQueue?: number;
  logger: Logger;
  /**
   * Store successful refresh-token exchanges (`sertft`) too (default false). They are the one event per refresh,
   * so storing them makes the database grow with every refresh (bounded only by the event retention); the other
   * events (issuance, reuse, failures, revocations, Management API writes) are stored always.
   */
  storeRefreshes?: boolean;
  /** Told about each event that is not stored (successful refreshes, unless stored), e.g. to deliver it anyway. */
  onNotStored?: (event: StoredEvent) => void;
  /** Told about each stored event (webhook delivery, metrics). */
  onStored?: (events: readonly StoredEvent[]) => void;
  onDropped?: (count: number) => void;
}

/**
 * Stores security events without putting a write on the request path: events are queued in memory and written in
 * multi-row INSERTs every `flushIntervalMs`, so the token endpoint stays one statement per refresh. The cost is that
 * a process crash can lose the last fraction of a second of events (never tokens); `stop()` flushes on shutdown.
 */
export class EventRecorder implements EventSink {
  readonly #store: EventStore;
  readonly #opts: Required<Omit<EventRecorderOptions, 'onStored' | 'onDropped' | 'onNotStored'>> &
    Pick<EventRecorderOptions, 'onStored' | 'onDropped' | 'onNotStored'>;
  #queue: StoredEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(store: EventStore, options: EventRecorderOptions) {
    this.#store = store;
    this.#opts = { flushIntervalMs: 250, batchSize: 500, maxQueue: 50_000, storeRefreshes: false, ...options };
  }

  emit(event: SecurityEvent): void {
    const stored: StoredEvent = { ...event, logId: newEventId(event.date) };
    if (event.type === 'sertft' && !this.#opts.storeRefreshes) {
      this.#opts.onNotStored?.(stored);
      return;
    }
    this.#queue.push(stored);
    if (this.#queue.length > this.#opts.maxQueue) {
      const excess = this.#queue.length - this.#opts.maxQueue;
      this.#queue.splice(0, excess);
      this.#opts.onDropped?.(excess);
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushIntervalMs);
    this.#timer.unref();
  }

  /** Writes everything queued so far; concurrent calls share one flush. Failures keep events queued for retry. */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#opts.batchSize);
      try {
        await this.#store.insertEvents(batch);
      } catch (err) {
        this.#opts.logger.warn({ err: (err as Error).message, queued: this.#queue.length }, 'security events not stored yet; will retry');
        return;
      }
      this.#queue.splice(0, batch.length);
      this.#opts.onStored?.(batch);
    }
  }

  get queued(): number {
    return this.#queue.length;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
