import { systemClock, type Clock } from '../core/clock.js';
import { StoreUnavailableError } from '../core/errors.js';
import type { EventSink, SecurityEvent, StoredEvent } from '../core/events.js';
import { newEventId } from '../core/event-ids.js';
import type { Logger } from '../core/logger.js';
import type { EventStore } from '../ports/store.js';
import { EventAggregator } from './event-aggregator.js';

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
  /**
   * Events marked `aggregate` (failures that name nothing stored) are stored as one summary per type, client and
   * reason per window of this length (default 60 s).
   */
  aggregateWindowMs?: number;
  /** Time source for closing aggregation windows (default the system clock). */
  clock?: Clock;
  /** Told about each event that is not stored (successful refreshes, unless stored), e.g. to deliver it anyway. */
  onNotStored?: (event: StoredEvent) => void;
  /** Told about each stored event (webhook delivery, metrics). */
  onStored?: (events: readonly StoredEvent[]) => void;
  /** Told about events dropped because the queue overflowed while the database was unreachable. */
  onDropped?: (count: number) => void;
  /** Told about events the database refused (a value it cannot hold); they are dropped so later events are stored. */
  onRejected?: (events: readonly StoredEvent[]) => void;
}

type Callbacks = 'onStored' | 'onDropped' | 'onNotStored' | 'onRejected';

/**
 * Stores security events without putting a write on the request path: events are queued in memory and written in
 * multi-row INSERTs every `flushIntervalMs`, so the token endpoint stays one statement per refresh. The cost is that
 * a process crash can lose the last fraction of a second of events (never tokens); `stop()` flushes on shutdown.
 *
 * Only an unreachable database keeps events queued for retry. A row the database refuses (a value it cannot hold)
 * is found by splitting the batch, dropped and reported, so it never holds back the events behind it.
 */
export class EventRecorder implements EventSink {
  readonly #store: EventStore;
  readonly #opts: Required<Omit<EventRecorderOptions, Callbacks>> & Pick<EventRecorderOptions, Callbacks>;
  readonly #aggregator: EventAggregator;
  #queue: StoredEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(store: EventStore, options: EventRecorderOptions) {
    this.#store = store;
    this.#opts = { flushIntervalMs: 250, batchSize: 500, maxQueue: 50_000, storeRefreshes: false, aggregateWindowMs: 60_000, clock: systemClock, ...options };
    this.#aggregator = new EventAggregator({ windowMs: this.#opts.aggregateWindowMs });
  }

  emit(event: SecurityEvent): void {
    if (event.aggregate) {
      this.#enqueue(this.#aggregator.add(event));
      return;
    }
    const stored: StoredEvent = { ...event, logId: newEventId(event.date) };
    if (event.type === 'sertft' && !this.#opts.storeRefreshes) {
      this.#opts.onNotStored?.(stored);
      return;
    }
    this.#enqueue([stored]);
  }

  #enqueue(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.#queue.push(...events);
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

  /**
   * Writes everything queued so far, with the aggregation windows that have run their length (all of them when
   * `closeWindows`); concurrent calls share one flush. An unreachable database keeps events queued for retry.
   */
  flush(options: { closeWindows?: boolean } = {}): Promise<void> {
    this.#enqueue(options.closeWindows ? this.#aggregator.closeAll() : this.#aggregator.closeDue(this.#opts.clock.now()));
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#opts.batchSize);
      let result: Written;
      try {
        result = await this.#write(batch);
      } catch (err) {
        this.#opts.logger.warn({ err: (err as Error).message, queued: this.#queue.length }, 'security events not stored yet; will retry');
        return;
      }
      this.#queue.splice(0, batch.length);
      if (result.rejected.length > 0) {
        this.#opts.logger.error(
          { events: result.rejected.map((e) => ({ logId: e.logId, type: e.type })), err: result.reason },
          'security events refused by the database: dropped so that later events are stored',
        );
        this.#opts.onRejected?.(result.rejected);
      }
      if (result.stored.length > 0) this.#opts.onStored?.(result.stored);
    }
  }

  /**
   * Inserts a batch. If the database refuses it for its content (not for being unreachable), the batch is split in
   * halves until the refused rows are isolated: a few extra statements for a rare bad row, instead of the whole
   * queue stuck behind it. Throws only StoreUnavailableError (and then nothing is dropped).
   */
  async #write(batch: readonly StoredEvent[]): Promise<Written> {
    try {
      await this.#store.insertEvents(batch);
      return { stored: batch, rejected: [], reason: null };
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      if (batch.length === 1) return { stored: [], rejected: batch, reason: (err as Error).message };
      const middle = Math.ceil(batch.length / 2);
      const left = await this.#write(batch.slice(0, middle));
      const right = await this.#write(batch.slice(middle));
      return { stored: [...left.stored, ...right.stored], rejected: [...left.rejected, ...right.rejected], reason: left.reason ?? right.reason };
    }
  }

  get queued(): number {
    return this.#queue.length;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush({ closeWindows: true });
  }
}

interface Written {
  stored: readonly StoredEvent[];
  rejected: readonly StoredEvent[];
  /** The database's message for the first refused row (for the log; never contains a token). */
  reason: string | null;
}
