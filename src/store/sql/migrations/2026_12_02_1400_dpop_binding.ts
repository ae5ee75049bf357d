import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // RFC 9449 §5: a public client's refresh-token family bound to a DPoP key, by its RFC 7638 SHA-256 thumbprint
  // (43 characters), in the family's own row. Set at issuance and never changed; null for an unbound family
  // (every family before this migration, and every confidential client's).
  await db.schema.alterTable('token_families').addColumn('dpop_jkt', t('text')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('token_families').dropColumn('dpop_jkt').execute();
}
