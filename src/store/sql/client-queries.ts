import type { Kysely } from 'kysely';
import type { Client, ClientGrant, ResourceServer } from '../../core/types.js';
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

export async function upsertClientGrant(db: Kysely<Database>, grant: ClientGrant): Promise<void> {
  await db
    .insertInto('client_grants')
    .values({ id: grant.id, client_id: grant.clientId, audience: grant.audience, scope: JSON.stringify(grant.scope) })
    .onConflict((oc) => oc.columns(['client_id', 'audience']).doUpdateSet({ scope: JSON.stringify(grant.scope) }))
    .execute();
}

export async function findClientGrant(db: Kysely<Database>, clientId: string, audience: string): Promise<ClientGrant | null> {
  const row = await db
    .selectFrom('client_grants')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('audience', '=', audience)
    .executeTakeFirst();
  return row ? clientGrantFromRow(row) : null;
}

export async function listClientGrants(db: Kysely<Database>): Promise<ClientGrant[]> {
  const rows = await db.selectFrom('client_grants').selectAll().orderBy('client_id').orderBy('audience').execute();
  return rows.map(clientGrantFromRow);
}
