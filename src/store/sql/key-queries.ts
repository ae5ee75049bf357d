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
      activates_at: key.activatesAt,
      retired_at: key.retiredAt,
      verify_until: key.verifyUntil,
    })
    .execute();
}

/**
 * Inserts `key` and, in the same transaction, retires at `key.activatesAt` every other key of its algorithm not
 * already retired by then: one signer hands over to the next at one instant, and a crash cannot leave two.
 */
export async function rotateSigningKey(db: Kysely<Database>, key: SigningKey & { activatesAt: number }, verifyUntil: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await insertSigningKey(trx, key);
    const r = await trx
      .updateTable('signing_keys')
      .set({ retired_at: key.activatesAt, verify_until: verifyUntil })
      .where('alg', '=', key.alg)
      .where('kid', '!=', key.kid)
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', key.activatesAt)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  });
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
