import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { newEventId } from '../../src/core/event-ids.js';
import { randomId } from '../../src/core/ids.js';
import type { Session, TokenFamily } from '../../src/core/types.js';
import { collectGarbage } from '../../src/ops/gc.js';
import type { Store } from '../../src/ports/store.js';
import { familyRecord, sessionRecord } from '../helpers/records.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 6, 1);
const policy = { retentionSeconds: 86_400, sessionStaleSeconds: 30 * 86_400, eventRetentionSeconds: 7 * 86_400, batchSize: 7 };

const family = (name: string, o: Partial<TokenFamily>): TokenFamily => familyRecord(NOW - 40 * DAY, { id: `${name}-${randomId()}`, ...o });
const session = (name: string, o: Partial<Session>): Session => sessionRecord(NOW - 60 * DAY, { id: `${name}-${randomId()}`, ...o });

for (const kind of STORES) {
  describe(`garbage collection (${kind})`, () => {
    let db: TestDatabase;
    let a: Store;
    let b: Store;
    before(async () => {
      db = await createTestDatabase(kind);
      a = db.open();
      await a.migrate();
      b = db.open();
    });
    after(async () => {
      await a.close();
      await b.close();
      await db.drop();
    });

    test('removes exactly what is dead beyond the retention, even with two instances sweeping at once', async () => {
      const keep: string[] = [];
      const gone: string[] = [];
      const add = async (f: TokenFamily, survives: boolean) => {
        await a.createFamily(f, { maxActive: 10_000, now: NOW - 40 * DAY });
        (survives ? keep : gone).push(f.id);
      };
      // Enough rows to need many batches of 7.
      for (let i = 0; i < 10; i++) {
        await add(family('active', {}), true);
        await add(family('active-expiring', { expiresAt: NOW + DAY, idleExpiresAt: NOW + DAY }), true);
        await add(family('revoked-recently', { revokedAt: NOW - DAY / 2 }), true);
        await add(family('expired-recently', { expiresAt: NOW - DAY / 2 }), true);
        await add(family('revoked-long-ago', { revokedAt: NOW - 2 * DAY }), false);
        await add(family('expired-long-ago', { expiresAt: NOW - 2 * DAY }), false);
        await add(family('idle-long-ago', { idleExpiresAt: NOW - 2 * DAY, expiresAt: NOW + DAY }), false);
      }
      const liveSession = session('live', { lastInteractedAt: NOW - DAY });
      const staleButUsed = session('stale-used', {});
      const staleUnused = session('stale-unused', {});
      const expiredSession = session('expired', { expiresAt: NOW - 2 * DAY, lastInteractedAt: NOW });
      for (const s of [liveSession, staleButUsed, staleUnused, expiredSession]) await a.createSession(s);
      await a.createFamily(family('session-holder', { sessionId: staleButUsed.id }), { maxActive: 10_000, now: NOW });
      await a.createFamily(family('dead-holder', { sessionId: staleUnused.id, revokedAt: NOW - DAY / 2 }), { maxActive: 10_000, now: NOW });

      const oldEvents = Array.from({ length: 12 }, (_, i) => ({ logId: newEventId(NOW - 8 * DAY + i), date: NOW - 8 * DAY + i, type: 'sertft' as const, description: 'old' }));
      const newEvents = Array.from({ length: 5 }, (_, i) => ({ logId: newEventId(NOW - DAY + i), date: NOW - DAY + i, type: 'sertft' as const, description: 'new' }));
      await a.insertEvents([...oldEvents, ...newEvents]);

      const clock = new ManualClock(NOW);
      const [ra, rb] = await Promise.all([collectGarbage(a, clock, policy), collectGarbage(b, clock, policy)]);
      assert.ok(ra.complete && rb.complete);
      assert.equal(ra.families + rb.families, gone.length, 'every dead family deleted exactly once across both instances');
      assert.equal(ra.events + rb.events, 12);
      for (const id of keep) assert.notEqual(await a.findFamily(id), null, `kept ${id}`);
      for (const id of gone) assert.equal(await a.findFamily(id), null, `deleted ${id}`);
      assert.notEqual(await a.findSession(liveSession.id), null);
      assert.notEqual(await a.findSession(staleButUsed.id), null, 'a session with an active refresh token stays');
      assert.equal(await a.findSession(staleUnused.id), null, 'stale, and its only family is revoked');
      assert.equal(await a.findSession(expiredSession.id), null);
      const remaining = await a.listEvents({ limit: 100 });
      assert.deepEqual(remaining.map((e) => e.logId), newEvents.map((e) => e.logId));

      const again = await collectGarbage(a, clock, policy);
      assert.deepEqual([again.families, again.sessions, again.events], [0, 0, 0], 'a second sweep finds nothing');
    });
  });
}
