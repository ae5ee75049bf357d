import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // When a key begins signing: a rotated-in key is published first and signs only after a delay. Null (existing
  // keys, first keys, keys written by an older instance during a rolling upgrade): it signs from its creation.
  await db.schema.alterTable('signing_keys').addColumn('activates_at', t('epochMs')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').dropColumn('activates_at').execute();
}
