import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // Custom access-token claims live in the family's own row (bytes, never rows). Nullable: existing families and
  // families without claims store nothing. `successor_claims` keeps the claims a token hook gave the current
  // token's answer, so a leeway retry gets the same ones without calling the hook again.
  await db.schema.alterTable('token_families').addColumn('claims', t('json')).execute();
  await db.schema.alterTable('token_families').addColumn('successor_claims', t('json')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('token_families').dropColumn('successor_claims').execute();
  await db.schema.alterTable('token_families').dropColumn('claims').execute();
}
