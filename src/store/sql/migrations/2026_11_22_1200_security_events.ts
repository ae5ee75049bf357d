import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // log_id starts with the zero-padded event time, so the primary key orders events by time for checkpoint
  // paging (`from`) and for retention deletes, without another index.
  await db.schema
    .createTable('security_events')
    .addColumn('log_id', t('text'), (c) => c.primaryKey())
    .addColumn('date', t('epochMs'), (c) => c.notNull())
    .addColumn('type', t('text'), (c) => c.notNull())
    .addColumn('description', t('text'), (c) => c.notNull())
    .addColumn('client_id', t('text'))
    .addColumn('user_id', t('text'))
    .addColumn('ip', t('text'))
    .addColumn('user_agent', t('text'))
    .addColumn('details', t('json'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('security_events').execute();
}
