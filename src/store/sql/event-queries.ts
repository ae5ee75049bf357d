import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { StoredEvent } from '../../core/events.js';
import type { EventQuery } from '../../ports/store.js';
import type { Database, SecurityEventsTable } from './database.js';

function fromRow(r: SecurityEventsTable): StoredEvent {
  return {
    logId: r.log_id,
    date: Number(r.date),
    type: r.type as StoredEvent['type'],
    description: r.description,
    clientId: r.client_id,
    userId: r.user_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
  };
}

export async function insertEvents(db: Kysely<Database>, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('security_events')
    .values(
      events.map((e) => ({
        log_id: e.logId,
        date: e.date,
        type: e.type,
        description: e.description,
        client_id: e.clientId ?? null,
        user_id: e.userId ?? null,
        ip: e.ip ?? null,
        user_agent: e.userAgent ?? null,
        details: e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : null,
      })),
    )
    // A retried flush must not fail on events that made it the first time.
    .onConflict((oc) => oc.column('log_id').doNothing())
    .execute();
}

export async function findEvent(db: Kysely<Database>, logId: string): Promise<StoredEvent | null> {
  const row = await db.selectFrom('security_events').selectAll().where('log_id', '=', logId).executeTakeFirst();
  return row ? fromRow(row) : null;
}

function filtered<O>(q: SelectQueryBuilder<Database, 'security_events', O>, query: Omit<EventQuery, 'limit'>) {
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
  if (query.clientId !== undefined) q = q.where('client_id', '=', query.clientId);
  return q;
}

export async function listEvents(db: Kysely<Database>, query: EventQuery): Promise<StoredEvent[]> {
  let q = filtered(db.selectFrom('security_events').selectAll(), query);
  if (query.afterLogId !== undefined) q = q.where('log_id', '>', query.afterLogId);
  q = q.orderBy('log_id', query.descending ? 'desc' : 'asc').limit(query.limit);
  if (query.offset) q = q.offset(query.offset);
  return (await q.execute()).map(fromRow);
}

export async function countEvents(db: Kysely<Database>, query: Omit<EventQuery, 'limit' | 'offset' | 'afterLogId'>): Promise<number> {
  const r = await filtered(db.selectFrom('security_events').select((eb) => eb.fn.countAll<number | string>().as('n')), query).executeTakeFirstOrThrow();
  return Number(r.n);
}
