import type { Kysely } from 'kysely';
import type { GcResult, GcStep } from '../../ports/store.js';
import type { Database } from './database.js';
import { liveFamily } from './liveness.js';
import { eventIdPrefix } from '../../core/event-ids.js';

/**
 * Garbage collection walks each table by primary key in bounded slices: read the next `scanLimit` keys, delete the
 * dead ones among them. Every statement is small (it never holds locks for long or blocks the token endpoint), no
 * extra index is needed, and instances sweeping at once only repeat each other's no-op deletes.
 */
export async function gcFamilies(db: Kysely<Database>, step: GcStep): Promise<GcResult> {
  let q = db.selectFrom('token_families').select('id').orderBy('id').limit(step.scanLimit);
  if (step.afterId !== null) q = q.where('id', '>', step.afterId);
  const ids = (await q.execute()).map((r) => r.id);
  if (ids.length === 0) return { nextAfterId: null, deleted: 0 };
  const r = await db
    .deleteFrom('token_families')
    .where('id', 'in', ids)
    .where((eb) =>
      eb.or([eb('revoked_at', '<', step.deadBefore), eb('expires_at', '<', step.deadBefore), eb('idle_expires_at', '<', step.deadBefore)]),
    )
    .executeTakeFirst();
  return { nextAfterId: ids.length < step.scanLimit ? null : ids[ids.length - 1]!, deleted: Number(r.numDeletedRows) };
}

export async function gcSessions(db: Kysely<Database>, step: GcStep & { staleBefore: number }): Promise<GcResult> {
  let q = db.selectFrom('sessions').select('id').orderBy('id').limit(step.scanLimit);
  if (step.afterId !== null) q = q.where('id', '>', step.afterId);
  const ids = (await q.execute()).map((r) => r.id);
  if (ids.length === 0) return { nextAfterId: null, deleted: 0 };
  const now = step.now;
  const r = await db
    .deleteFrom('sessions')
    .where('id', 'in', ids)
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', step.deadBefore),
        eb('idle_expires_at', '<', step.deadBefore),
        eb.and([
          eb('last_interacted_at', '<', step.staleBefore),
          eb.not(
            eb.exists(
              eb
                .selectFrom('token_families as f')
                .select('f.id')
                .whereRef('f.session_id', '=', 'sessions.id')
                .where(liveFamily(now, 'f')),
            ),
          ),
        ]),
      ]),
    )
    .executeTakeFirst();
  return { nextAfterId: ids.length < step.scanLimit ? null : ids[ids.length - 1]!, deleted: Number(r.numDeletedRows) };
}

export async function deleteEventsBefore(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  // log_id begins with the event time, so "older than" is a primary-key range.
  const ids = await db
    .selectFrom('security_events')
    .select('log_id')
    .where('log_id', '<', eventIdPrefix(before))
    .orderBy('log_id')
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  const r = await db
    .deleteFrom('security_events')
    .where(
      'log_id',
      'in',
      ids.map((i) => i.log_id),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
