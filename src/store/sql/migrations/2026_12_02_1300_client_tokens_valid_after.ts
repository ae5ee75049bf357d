import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // A client's Management API access tokens issued before this instant are refused (rotate-secret with token
  // revocation, issue 11 §3.11). Nullable, no default: existing clients, and a release before this one writing
  // rows during a rolling upgrade, leave it empty, which means "no cut-off".
  await db.schema.alterTable('clients').addColumn('tokens_valid_after', t('epochMs')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('tokens_valid_after').execute();
}
