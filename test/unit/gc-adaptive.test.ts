import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { gcPolicyOf, loadEnv } from '../../src/config/env.js';
import { collectGarbage, type GcPolicy } from '../../src/ops/gc.js';
import type { GcResult, GcStep, GcStore } from '../../src/ports/store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 6, 1);
const base = { retentionSeconds: 86_400, sessionStaleSeconds: 30 * 86_400, eventRetentionSeconds: 7 * 86_400 };

type Table = 'families' | 'sessions' | 'events';
interface Row {
  id: string;
  /** Revoked/expired at; null for a live row. */
  deadAt: number | null;
}

/** gc.ts times statements with performance.now(), so a slow statement has to really hold the thread. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const rows = (prefix: string, n: number, dead: (i: number) => boolean = () => true): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(6, '0')}`, deadAt: dead(i) ? NOW - 2 * DAY : null }));
const isDead = (r: Row, deadBefore = NOW - DAY) => r.deadAt !== null && r.deadAt < deadBefore;

/**
 * In-memory GcStore with the SQL store's semantics (src/store/sql/gc-queries.ts): scan the next `scanLimit` ids,
 * delete the dead ones, end the sweep on a short slice. Records every limit and cursor it is given; `delay(table,
 * call)` is how long (ms) that table's `call`-th statement (0-based) busy-waits.
 */
class FakeGcStore implements GcStore {
  readonly limits: Record<Table, number[]> = { families: [], sessions: [], events: [] };
  readonly afterIds: Record<'families' | 'sessions', (string | null)[]> = { families: [], sessions: [] };
  delay: (table: Table, call: number) => number = () => 0;

  constructor(
    public families: Row[],
    public sessions: Row[],
    /** Event dates, oldest first. */
    public events: number[],
  ) {}

  #statement(table: Table, limit: number): void {
    spin(this.delay(table, this.limits[table].length));
    this.limits[table].push(limit);
  }

  #sweep(table: 'families' | 'sessions', step: GcStep): GcResult {
    this.#statement(table, step.scanLimit);
    this.afterIds[table].push(step.afterId);
    const all = this[table];
    const start = step.afterId === null ? 0 : all.findIndex((r) => r.id > step.afterId!);
    const ids = start === -1 ? [] : all.slice(start, start + step.scanLimit);
    if (ids.length === 0) return { nextAfterId: null, deleted: 0 };
    const dead = new Set(ids.filter((r) => isDead(r, step.deadBefore)));
    this[table] = all.filter((r) => !dead.has(r));
    return { nextAfterId: ids.length < step.scanLimit ? null : ids[ids.length - 1]!.id, deleted: dead.size };
  }

  async gcFamilies(step: GcStep): Promise<GcResult> {
    return this.#sweep('families', step);
  }

  async gcSessions(step: GcStep & { staleBefore: number }): Promise<GcResult> {
    return this.#sweep('sessions', step);
  }

  async deleteEventsBefore(before: number, limit: number): Promise<number> {
    this.#statement('events', limit);
    let n = 0;
    while (n < limit && n < this.events.length && this.events[n]! < before) n++;
    this.events = this.events.slice(n);
    return n;
  }
}

const oldEvents = (n: number) => Array.from({ length: n }, (_, i) => NOW - 8 * DAY + i);

// Fast statements (far under stepTargetMs / 4; a generous target, so a loaded CI box stays far under) must double the batch from 64 up to batchSize, then hold it there.
test('fast statements grow each batch from 64 by doubling, capped at batchSize', async () => {
  const store = new FakeGcStore(rows('f', 2000, (i) => i % 4 !== 0), rows('s', 100), [...oldEvents(300), NOW]);
  const r = await collectGarbage(store, new ManualClock(NOW), { ...base, batchSize: 500, stepTargetMs: 1000 });
  assert.deepEqual(store.limits.families, [64, 128, 256, 500, 500, 500, 500]);
  assert.deepEqual(store.limits.sessions, [64, 128]);
  assert.deepEqual(store.limits.events, [64, 128, 256], 'events stop at the first short delete');
  assert.deepEqual([r.families, r.sessions, r.events], [1500, 100, 300]);
  assert.equal(r.complete, true);
  assert.deepEqual(r.cursors, { families: null, sessions: null });
});

// Statements slower than stepTargetMs must halve the batch, but never below 16 (or below a smaller batchSize).
test('slow statements halve each batch down to 16, or to batchSize when it is smaller', async () => {
  const store = new FakeGcStore(rows('f', 130), rows('s', 100), oldEvents(120));
  store.delay = () => 4;
  const r = await collectGarbage(store, new ManualClock(NOW), { ...base, batchSize: 500, stepTargetMs: 2 });
  assert.deepEqual(store.limits.families, [64, 32, 16, 16, 16]);
  assert.deepEqual(store.limits.sessions, [64, 32, 16]);
  assert.deepEqual(store.limits.events, [64, 32, 16, 16]);
  assert.deepEqual([r.families, r.sessions, r.events, r.complete], [130, 100, 120, true]);

  const small = new FakeGcStore(rows('f', 35), [], []);
  small.delay = () => 4;
  await collectGarbage(small, new ManualClock(NOW), { ...base, batchSize: 10, stepTargetMs: 2 });
  assert.deepEqual(small.limits.families, [10, 10, 10, 10], 'starts at batchSize < 64 and never halves below it');
  assert.deepEqual([small.limits.sessions, small.limits.events], [[10], [10]]);
});

// Without pacing (stepTargetMs null, PostgreSQL's policy) slow statements must not shrink the batch: there a
// statement's time is queueing behind requests, not event-loop time.
test('stepTargetMs null: every statement takes batchSize rows however long it takes', async () => {
  const store = new FakeGcStore(rows('f', 1100), rows('s', 30), []);
  store.delay = () => 4;
  const r = await collectGarbage(store, new ManualClock(NOW), { ...base, batchSize: 500, stepTargetMs: null });
  assert.deepEqual(store.limits.families, [500, 500, 500]);
  assert.deepEqual(store.limits.sessions, [500]);
  assert.deepEqual([r.families, r.sessions, r.complete], [1100, 30, true]);
});

// The wiring's policy: paced on SQLite (statements on the event loop), unpaced on PostgreSQL.
test('gcPolicyOf paces SQLite sweeps and not PostgreSQL ones', () => {
  const env = loadEnv({});
  assert.equal(gcPolicyOf(env, 'postgres').stepTargetMs, null);
  assert.equal(gcPolicyOf(env, 'sqlite').stepTargetMs, undefined, 'SQLite keeps the default 5 ms pacing');
});

// A slow patch must shrink only the table that was slow, and the batch must grow back once statements are fast again.
test('after a slow patch the batch grows back, and each table adapts on its own', async () => {
  const store = new FakeGcStore(rows('f', 2900), rows('s', 1000), []);
  // Wide margins (fast is under 50 ms, slow 250 ms against 200): a loaded CI box must not turn fast into slow.
  store.delay = (table, call) => (table === 'families' && call >= 4 && call <= 9 ? 250 : 0);
  const r = await collectGarbage(store, new ManualClock(NOW), { ...base, batchSize: 500, stepTargetMs: 200 });
  assert.deepEqual(store.limits.families, [
    ...[64, 128, 256, 500], // fast
    ...[500, 250, 125, 62, 31, 16], // slow (500 >> 1 = 250, 125 >> 1 = 62, ...), floor 16
    ...[16, 32, 64, 128, 256, 500], // fast again
  ]);
  assert.deepEqual(store.limits.sessions, [64, 128, 256, 500, 500], 'sessions stayed fast during the families slow patch');
  assert.deepEqual([r.families, r.sessions, r.complete], [2900, 1000, true]);
});

// A budget must stop the sweep early with its position, and the next run must resume there and finish the job.
test('budgetMs stops early with cursors; the next run continues from them and deletes the rest', async () => {
  const families = rows('f', 300, (i) => i % 3 !== 0);
  const sessions = rows('s', 200, (i) => i % 2 === 0);
  const store = new FakeGcStore(families, sessions, [...oldEvents(100), NOW - DAY, NOW]);
  const policy: GcPolicy = { ...base, batchSize: 500 };
  const clock = new ManualClock(NOW);

  store.delay = () => 10; // one round of three statements (>= 30 ms) exhausts a 25 ms budget
  const first = await collectGarbage(store, clock, policy, { budgetMs: 25 });
  assert.equal(first.complete, false);
  assert.deepEqual(store.limits, { families: [64], sessions: [64], events: [64] }, 'exactly one round ran');
  const stoppedAt = { ...first.cursors };
  assert.deepEqual(stoppedAt, { families: families[63]!.id, sessions: sessions[63]!.id });
  assert.equal(first.families, families.slice(0, 64).filter((f) => isDead(f)).length);
  assert.equal(first.sessions, sessions.slice(0, 64).filter((s) => isDead(s)).length);
  assert.equal(first.events, 64);

  store.delay = () => 0;
  const second = await collectGarbage(store, clock, policy, { cursors: first.cursors });
  assert.equal(store.afterIds.families[1], stoppedAt.families, 'families resume after the cursor');
  assert.equal(store.afterIds.sessions[1], stoppedAt.sessions, 'sessions resume after the cursor');
  assert.equal(second.complete, true);
  assert.deepEqual(second.cursors, { families: null, sessions: null });
  assert.equal(first.families + second.families, families.filter((f) => isDead(f)).length);
  assert.equal(first.sessions + second.sessions, sessions.filter((s) => isDead(s)).length);
  assert.equal(first.events + second.events, 100);
  assert.deepEqual(store.families, families.filter((f) => !isDead(f)), 'only live families remain');
  assert.deepEqual(store.sessions, sessions.filter((s) => !isDead(s)), 'only live sessions remain');
  assert.deepEqual(store.events, [NOW - DAY, NOW], 'events within retention remain');
});
