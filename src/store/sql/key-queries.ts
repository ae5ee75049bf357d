import type { Kysely } from 'kysely';
import type { SigningKey } from '../../core/types.js';
import type { Database } from './database.js';
import { signingKeyFromRow } from './mappers.js';

export async function listSigningKeys(db: Kysely<Database>): Promise<SigningKey[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
  return rows.map(signingKeyFromRow);
}

export async function insertSigningKey(db: Kysely<Database>, key: SigningKey): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      private_jwk: key.privateJwk,
      public_jwk: key.publicJwk,
      created_at: key.createdAt,
      retired_at: key.retiredAt,
      verify_until: key.verifyUntil,
    })
    .execute();
}

export async function retireSigningKeys(db: Kysely<Database>, alg: string, exceptKid: string, now: number, verifyUntil: number): Promise<number> {
  const r = await db
    .updateTable('signing_keys')
    .set({ retired_at: now, verify_until: verifyUntil })
    .where('alg', '=', alg)
    .where('kid', '!=', exceptKid)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function getOrCreateSecret(db: Kysely<Database>, name: string, create: () => Buffer, now: number): Promise<Buffer> {
  // Insert-if-absent then read: when instances race, every one of them reads the single winner's value.
  await db
    .insertInto('server_secrets')
    .values({ name, value: create(), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
