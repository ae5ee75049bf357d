import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GcStore } from '../ports/store.js';

export interface GcPolicy {
  /** Revoked or expired families, and expired sessions, are kept this long (reuse of a revoked family's tokens is still reported as such meanwhile). */
  retentionSeconds: number;
  /** Sessions with no active refresh token and no activity for this long are removed. */
  sessionStaleSeconds: number;
  /** Security events older than this are removed. */
  eventRetentionSeconds: number;
  /** Rows examined per statement at most (default 500). */
  batchSize?: number;
  /**
   * About how long one statement may take (default 5 ms). Each table's batch halves when a statement takes longer
   * and doubles, up to `batchSize`, when it is well under: on SQLite a statement runs on the event loop, and a
   * 500-row delete of families scattered over a large table (each on its own page) held it for tens of ms, which
   * every refresh queued behind it waited out (bench:scale, cleanup during refreshes).
   *
   * `null`: every statement takes `batchSize` rows. For a store whose statements run elsewhere (PostgreSQL), a
   * statement's time is mostly queueing behind the requests in flight, so pacing on it shrank every batch to 16
   * rows under load and the sweep fell ~20 × behind (bench:scale 2026-12-04), while the event loop never waited.
   */
  stepTargetMs?: number | null;
}

/** Smallest batch: below it a sweep spends its time on round trips rather than rows. */
const MIN_BATCH = 16;

/** A batch size that follows how long the last statement took. */
function adaptiveBatch(max: number, targetMs: number | null) {
  if (targetMs === null) return { size: max, took() {} };
  let size = Math.min(max, 64);
  return {
    get size() {
      return size;
    },
    took(ms: number) {
      if (ms > targetMs) size = Math.max(Math.min(MIN_BATCH, max), size >> 1);
      else if (ms < targetMs / 4) size = Math.min(max, size * 2);
    },
  };
}

export interface GcCounts {
  families: number;
  sessions: number;
  events: number;
}

interface Cursors {
  families: string | null;
  sessions: string | null;
}

/**
 * Runs garbage collection in bounded steps until every table has been swept once or `budgetMs` has passed;
 * the cursors let the next run continue where this one stopped. Yields to the event loop between steps.
 */
export async function collectGarbage(
  store: GcStore,
  clock: Clock,
  policy: GcPolicy,
  options: { budgetMs?: number; cursors?: Cursors } = {},
): Promise<GcCounts & { complete: boolean; cursors: Cursors }> {
  const max = policy.batchSize ?? 500;
  const target = policy.stepTargetMs === undefined ? 5 : policy.stepTargetMs;
  const batches = { families: adaptiveBatch(max, target), sessions: adaptiveBatch(max, target), events: adaptiveBatch(max, target) };
  const started = Date.now();
  const budget = options.budgetMs ?? Infinity;
  const cursors: Cursors = options.cursors ?? { families: null, sessions: null };
  const counts: GcCounts = { families: 0, sessions: 0, events: 0 };
  const overBudget = () => Date.now() - started >= budget;
  // Between statements, so requests waiting on the event loop go first.
  const pause = () => new Promise((r) => setImmediate(r));
  const timed = async <T>(batch: ReturnType<typeof adaptiveBatch>, step: (limit: number) => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await step(batch.size);
    batch.took(performance.now() - t0);
    await pause();
    return result;
  };

  let familiesDone = false;
  let sessionsDone = false;
  let eventsDone = false;
  while (!(familiesDone && sessionsDone && eventsDone) && !overBudget()) {
    const now = clock.now();
    const deadBefore = now - policy.retentionSeconds * 1000;
    if (!familiesDone) {
      const r = await timed(batches.families, (scanLimit) => store.gcFamilies({ afterId: cursors.families, scanLimit, now, deadBefore }));
      counts.families += r.deleted;
      cursors.families = r.nextAfterId;
      familiesDone = r.nextAfterId === null;
    }
    if (!sessionsDone) {
      const r = await timed(batches.sessions, (scanLimit) =>
        store.gcSessions({ afterId: cursors.sessions, scanLimit, now, deadBefore, staleBefore: now - policy.sessionStaleSeconds * 1000 }),
      );
      counts.sessions += r.deleted;
      cursors.sessions = r.nextAfterId;
      sessionsDone = r.nextAfterId === null;
    }
    if (!eventsDone) {
      const limit = batches.events.size;
      const n = await timed(batches.events, (l) => store.deleteEventsBefore(now - policy.eventRetentionSeconds * 1000, l));
      counts.events += n;
      eventsDone = n < limit;
    }
  }
  return { ...counts, complete: familiesDone && sessionsDone && eventsDone, cursors };
}

/** The built-in background job: a bounded sweep every `intervalSeconds` (with jitter so instances spread out). */
export class GcJob {
  readonly #store: GcStore;
  readonly #clock: Clock;
  readonly #policy: GcPolicy;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #cursors: Cursors = { families: null, sessions: null };

  constructor(store: GcStore, clock: Clock, policy: GcPolicy, logger: Logger) {
    this.#store = store;
    this.#clock = clock;
    this.#policy = policy;
    this.#logger = logger;
  }

  start(intervalSeconds: number): void {
    if (intervalSeconds <= 0 || this.#timer) return;
    const schedule = () => {
      const delay = intervalSeconds * 1000 * (0.75 + Math.random() * 0.5);
      this.#timer = setTimeout(() => {
        this.runOnce().finally(schedule);
      }, delay);
      this.#timer.unref();
    };
    schedule();
  }

  runOnce(): Promise<void> {
    this.#running ??= (async () => {
      try {
        const r = await collectGarbage(this.#store, this.#clock, this.#policy, { budgetMs: 1_000, cursors: this.#cursors });
        this.#cursors = r.complete ? { families: null, sessions: null } : r.cursors;
        if (r.families || r.sessions || r.events) this.#logger.info({ gc: { families: r.families, sessions: r.sessions, events: r.events } }, 'garbage collected');
      } catch (err) {
        this.#logger.warn({ err: (err as Error).message }, 'garbage collection failed; will retry');
      }
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
