import type { Kysely } from 'kysely';
import type { SigningKey } from '../../core/types.js';
import { isSealed, openStored, type KeyCipher } from '../key-cipher.js';
import type { Database } from './database.js';
import { signingKeyFromRow } from './mappers.js';

// Private key material (signing keys' private JWKs, server secrets) is written sealed when the store has a
// KeyCipher (REFRESHD_KEY_ENCRYPTION_KEY) and opened on read; the rest of refreshd only ever sees plaintext.
const keySlot = (kid: string) => `signing_keys/${kid}`;
const secretSlot = (name: string) => `server_secrets/${name}`;

export async function listSigningKeys(db: Kysely<Database>, cipher: KeyCipher | null): Promise<SigningKey[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
  const out: SigningKey[] = [];
  for (const row of rows) {
    const privateJwk = (await openStored(cipher, row.private_jwk, keySlot(row.kid), `signing key ${row.kid}`)).toString('utf8');
    out.push({ ...signingKeyFromRow(row), privateJwk });
  }
  return out;
}

export async function insertSigningKey(db: Kysely<Database>, key: SigningKey, cipher: KeyCipher | null): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      private_jwk: cipher ? await cipher.seal(Buffer.from(key.privateJwk, 'utf8'), keySlot(key.kid)) : key.privateJwk,
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
export async function rotateSigningKey(db: Kysely<Database>, key: SigningKey & { activatesAt: number }, verifyUntil: number, cipher: KeyCipher | null): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await insertSigningKey(trx, key, cipher);
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

export async function getOrCreateSecret(db: Kysely<Database>, name: string, create: () => Buffer, now: number, cipher: KeyCipher | null): Promise<Buffer> {
  const fresh = create();
  const stored = cipher ? Buffer.from(await cipher.seal(fresh, secretSlot(name)), 'latin1') : fresh;
  // Insert-if-absent then read: when instances race, every one of them reads the single winner's value.
  await db
    .insertInto('server_secrets')
    .values({ name, value: stored, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return openStored(cipher, row.value, secretSlot(name), `server secret ${name}`);
}

/**
 * Seals every plaintext private JWK and server secret in place (rows written before the key-encryption key was
 * set). Each update is a compare-and-set on the plaintext read, so instances starting together seal a row once.
 */
export async function sealKeyMaterial(db: Kysely<Database>, cipher: KeyCipher): Promise<{ signingKeys: number; secrets: number }> {
  let signingKeys = 0;
  for (const row of await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute()) {
    if (isSealed(row.private_jwk)) continue;
    const sealed = await cipher.seal(Buffer.from(row.private_jwk, 'utf8'), keySlot(row.kid));
    const r = await db.updateTable('signing_keys').set({ private_jwk: sealed }).where('kid', '=', row.kid).where('private_jwk', '=', row.private_jwk).executeTakeFirst();
    signingKeys += Number(r.numUpdatedRows);
  }
  let secrets = 0;
  for (const row of await db.selectFrom('server_secrets').select(['name', 'value']).execute()) {
    if (isSealed(row.value)) continue;
    const sealed = Buffer.from(await cipher.seal(row.value, secretSlot(row.name)), 'latin1');
    const r = await db.updateTable('server_secrets').set({ value: sealed }).where('name', '=', row.name).where('value', '=', row.value).executeTakeFirst();
    secrets += Number(r.numUpdatedRows);
  }
  return { signingKeys, secrets };
}
