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

export async function setClientSecretHash(db: Kysely<Database>, clientId: string, secretHash: Buffer, now: number, tokensValidAfter?: number): Promise<boolean> {
  const r = await db
    .updateTable('clients')
    .set({ secret_hash: secretHash, updated_at: now, ...(tokensValidAfter !== undefined ? { tokens_valid_after: tokensValidAfter } : {}) })
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

/** Deletes a client and its grants of both subject types in one transaction; true when the client existed. */
export async function deleteClient(db: Kysely<Database>, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    for (const table of Object.values(GRANT_TABLE)) await trx.deleteFrom(table).where('client_id', '=', clientId).execute();
    const r = await trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/** Inserts an API unless one with its identifier exists (false then): a create that never overwrites. */
export async function insertResourceServer(db: Kysely<Database>, rs: ResourceServer): Promise<boolean> {
  const r = await db
    .insertInto('resource_servers')
    .values(resourceServerToRow(rs))
    .onConflict((oc) => oc.column('identifier').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Deletes an API and every grant on it in one transaction; true when the API existed. */
export async function deleteResourceServer(db: Kysely<Database>, identifier: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    for (const table of Object.values(GRANT_TABLE)) await trx.deleteFrom(table).where('audience', '=', identifier).execute();
    const r = await trx.deleteFrom('resource_servers').where('identifier', '=', identifier).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/** Inserts a grant unless the client already has one of its subject type for the API (false then). */
export async function insertClientGrant(db: Kysely<Database>, grant: ClientGrant): Promise<boolean> {
  const r = await db
    .insertInto(GRANT_TABLE[grant.subjectType])
    .values({ id: grant.id, client_id: grant.clientId, audience: grant.audience, scope: JSON.stringify(grant.scope) })
    .onConflict((oc) => oc.columns(['client_id', 'audience']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function findClientGrantById(db: Kysely<Database>, id: string): Promise<ClientGrant | null> {
  for (const subjectType of ['client', 'user'] as const) {
    const row = await db.selectFrom(GRANT_TABLE[subjectType]).selectAll().where('id', '=', id).executeTakeFirst();
    if (row) return clientGrantFromRow(row, subjectType);
  }
  return null;
}

export async function deleteClientGrant(db: Kysely<Database>, id: string): Promise<boolean> {
  let deleted = 0;
  for (const table of Object.values(GRANT_TABLE)) deleted += Number((await db.deleteFrom(table).where('id', '=', id).executeTakeFirst()).numDeletedRows);
  return deleted > 0;
}
