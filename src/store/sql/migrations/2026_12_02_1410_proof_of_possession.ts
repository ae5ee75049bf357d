import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // Auth0's client `require_proof_of_possession`: every token request of the client must carry a DPoP proof.
  // Existing clients do not require one.
  await db.schema
    .alterTable('clients')
    .addColumn('require_pop', t('bool'), (c) => c.notNull().defaultTo(false))
    .execute();
  // refreshd's `require_dpop_nonce`: whether the client's proofs must carry a server nonce; null is the default
  // (required from public clients, as on Auth0).
  await db.schema.alterTable('clients').addColumn('require_dpop_nonce', t('bool')).execute();
  // Auth0's resource-server `proof_of_possession` ({ mechanism, required, required_for }), as JSON; null: none.
  await db.schema.alterTable('resource_servers').addColumn('proof_of_possession', t('json')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resource_servers').dropColumn('proof_of_possession').execute();
  await db.schema.alterTable('clients').dropColumn('require_dpop_nonce').execute();
  await db.schema.alterTable('clients').dropColumn('require_pop').execute();
}
