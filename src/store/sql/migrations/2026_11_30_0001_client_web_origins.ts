import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // Auth0's `web_origins`: the browser origins allowed to call the token and revocation endpoints as this client
  // (CORS). Existing clients get none, which is what they had.
  await db.schema
    .alterTable('clients')
    .addColumn('web_origins', t('json'), (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('web_origins').execute();
}
