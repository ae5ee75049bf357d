import type { Kysely } from 'kysely';
import type { Client, ClientGrant, GrantSubjectType, ResourceServer } from '../../core/types.js';
import type { Database } from './database.js';
import { clientFromRow, clientGrantFromRow, clientToRow, resourceServerFromRow, resourceServerToRow } from './mappers.js';

export async function upsertClient(db: Kysely<Database>, client: Client): Promise<void> {
  const row = clientToRow(client);
  const { client_id: _id, created_at: _created, ...update } = row;
  await db
    .insertInto('clients')
    .values(row)
    .onConflict((oc) => oc.column('client_id').doUpdateSet(update))
    .execute();
}

export async function findClient(db: Kysely<Database>, clientId: string): Promise<Client | null> {
  const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row ? clientFromRow(row) : null;
}

export async function listClients(db: Kysely<Database>): Promise<Client[]> {
  const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
  return rows.map(clientFromRow);
}

export async function setClientSecretHash(db: Kysely<Database>, clientId: string, secretHash: Buffer, now: number): Promise<boolean> {
  const r = await db
    .updateTable('clients')
    .set({ secret_hash: secretHash, updated_at: now })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function upsertResourceServer(db: Kysely<Database>, rs: ResourceServer): Promise<void> {
  const row = resourceServerToRow(rs);
  const { identifier: _id, ...update } = row;
  await db
    .insertInto('resource_servers')
    .values(row)
    .onConflict((oc) => oc.column('identifier').doUpdateSet(update))
    .execute();
}

export async function findResourceServer(db: Kysely<Database>, identifier: string): Promise<ResourceServer | null> {
  const row = await db.selectFrom('resource_servers').selectAll().where('identifier', '=', identifier).executeTakeFirst();
  return row ? resourceServerFromRow(row) : null;
}

export async function listResourceServers(db: Kysely<Database>): Promise<ResourceServer[]> {
  const rows = await db.selectFrom('resource_servers').selectAll().orderBy('identifier').execute();
  return rows.map(resourceServerFromRow);
}

/**
 * Each subject type has its own table of the same shape (`user_client_grants` came later, as a new table, so a
 * release that predates it keeps working on a migrated database during a rolling upgrade).
 */
const GRANT_TABLE = { client: 'client_grants', user: 'user_client_grants' } as const satisfies Record<GrantSubjectType, keyof Database>;

export async function upsertClientGrant(db: Kysely<Database>, grant: ClientGrant): Promise<void> {
  await db
    .insertInto(GRANT_TABLE[grant.subjectType])
    .values({ id: grant.id, client_id: grant.clientId, audience: grant.audience, scope: JSON.stringify(grant.scope) })
    .onConflict((oc) => oc.columns(['client_id', 'audience']).doUpdateSet({ scope: JSON.stringify(grant.scope) }))
    .execute();
}

export async function findClientGrant(db: Kysely<Database>, clientId: string, audience: string, subjectType: GrantSubjectType): Promise<ClientGrant | null> {
  const row = await db
    .selectFrom(GRANT_TABLE[subjectType])
    .selectAll()
    .where('client_id', '=', clientId)
    .where('audience', '=', audience)
    .executeTakeFirst();
  return row ? clientGrantFromRow(row, subjectType) : null;
}

export async function listClientGrants(db: Kysely<Database>): Promise<ClientGrant[]> {
  const out: ClientGrant[] = [];
  for (const subjectType of ['client', 'user'] as const) {
    const rows = await db.selectFrom(GRANT_TABLE[subjectType]).selectAll().orderBy('client_id').orderBy('audience').execute();
    out.push(...rows.map((r) => clientGrantFromRow(r, subjectType)));
  }
  return out;
}
