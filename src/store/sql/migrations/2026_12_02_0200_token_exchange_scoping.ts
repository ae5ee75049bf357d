import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // Client grants with Auth0's `subject_type: user`: the APIs and scopes a client may obtain for the users it
  // vouches for (token exchange). A table of its own rather than a column on client_grants, whose unique key
  // (client_id, audience) a release before this one relies on (ON CONFLICT) while a rolling upgrade runs.
  await db.schema
    .createTable('user_client_grants')
    .addColumn('id', t('text'), (c) => c.primaryKey())
    .addColumn('client_id', t('text'), (c) => c.notNull())
    .addColumn('audience', t('text'), (c) => c.notNull())
    .addColumn('scope', t('json'), (c) => c.notNull())
    .addUniqueConstraint('user_client_grants_client_audience', ['client_id', 'audience'])
    .execute();
  // The public clients a client may name as target_client_id in a token exchange. Existing clients get none.
  await db.schema
    .alterTable('clients')
    .addColumn('token_exchange_targets', t('json'), (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('token_exchange_targets').execute();
  await db.schema.dropTable('user_client_grants').execute();
}
