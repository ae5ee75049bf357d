import type { Kysely } from 'kysely';
import type { Metadata, Session } from '../../core/types.js';
import type { PageRequest } from '../../ports/store.js';
import type { Database } from './database.js';
import { notExpired } from './liveness.js';
import { metadataToText, sessionFromRow, sessionToRow } from './mappers.js';


export async function createSession(db: Kysely<Database>, session: Session): Promise<void> {
  await db.insertInto('sessions').values(sessionToRow(session)).execute();
}

export async function findSession(db: Kysely<Database>, id: string): Promise<Session | null> {
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? sessionFromRow(row) : null;
}

export async function touchSession(
  db: Kysely<Database>,
  id: string,
  u: { clientId: string; now: number; lastIp: string | null; lastUserAgent: string | null },
): Promise<Session | null> {
  // The client list is read, then written only if unchanged since (compare-and-set), so two instances
  // attaching different clients to one session at once cannot drop either; the loser reads again. Each miss
  // means another writer succeeded, so this ends; the bound only guards against a bug elsewhere.
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = await db.selectFrom('sessions').select('clients').where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const clients = JSON.parse(row.clients) as string[];
    if (!clients.includes(u.clientId)) clients.push(u.clientId);
    const updated = await db
      .updateTable('sessions')
      .set({
        clients: JSON.stringify(clients),
        last_interacted_at: u.now,
        updated_at: u.now,
        last_ip: u.lastIp,
        last_user_agent: u.lastUserAgent,
      })
      .where('id', '=', id)
      .where('clients', '=', row.clients)
      .returningAll()
      .executeTakeFirst();
    if (updated) return sessionFromRow(updated);
  }
  throw new Error(`session ${id}: the client list kept changing under 100 attempts to update it`);
}

export async function updateSessionMetadata(db: Kysely<Database>, id: string, metadata: Metadata, now: number): Promise<Session | null> {
  const row = await db
    .updateTable('sessions')
    .set({ metadata: metadataToText(metadata), updated_at: now })
    .where('id', '=', id)
    .where(notExpired(now))
    .returningAll()
    .executeTakeFirst();
  return row ? sessionFromRow(row) : null;
}

export async function deleteSession(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listSessions(db: Kysely<Database>, userId: string, page: PageRequest, now: number): Promise<Session[]> {
  let q = db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where(notExpired(now));
  const after = page.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
    );
  }
  const rows = await q.orderBy('created_at').orderBy('id').limit(page.limit).execute();
  return rows.map(sessionFromRow);
}

export async function countSessions(db: Kysely<Database>, userId: string, now: number): Promise<number> {
  const r = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where(notExpired(now))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteSessionsOfUser(db: Kysely<Database>, userId: string): Promise<number> {
  const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
