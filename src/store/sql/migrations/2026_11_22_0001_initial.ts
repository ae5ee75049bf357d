import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.js';

// Frozen in time: never import application code here, only the dialect type map.

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('token_families')
    .addColumn('id', t('text'), (c) => c.primaryKey())
    .addColumn('user_id', t('text'), (c) => c.notNull())
    .addColumn('client_id', t('text'), (c) => c.notNull())
    .addColumn('session_id', t('text'))
    .addColumn('audience', t('text'), (c) => c.notNull())
    .addColumn('scope', t('text'), (c) => c.notNull())
    .addColumn('generation', t('integer'), (c) => c.notNull())
    .addColumn('rotating', t('bool'), (c) => c.notNull())
    .addColumn('current_hash', t('bytes'), (c) => c.notNull())
    .addColumn('previous_hash', t('bytes'))
    .addColumn('successor_box', t('bytes'))
    .addColumn('created_at', t('epochMs'), (c) => c.notNull())
    .addColumn('rotated_at', t('epochMs'))
    .addColumn('last_exchanged_at', t('epochMs'))
    .addColumn('idle_expires_at', t('epochMs'))
    .addColumn('expires_at', t('epochMs'))
    .addColumn('revoked_at', t('epochMs'))
    .addColumn('revoked_reason', t('text'))
    .addColumn('initial_ip', t('text'))
    .addColumn('initial_user_agent', t('text'))
    .addColumn('last_ip', t('text'))
    .addColumn('last_user_agent', t('text'))
    .addColumn('metadata', t('json'))
    .execute();
  // Serves per-user listing, per user+client listing and the 200-per-user-per-client cap.
  await db.schema
    .createIndex('token_families_user_client_created')
    .on('token_families')
    .columns(['user_id', 'client_id', 'created_at'])
    .execute();
  await db.schema.createIndex('token_families_session').on('token_families').column('session_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', t('text'), (c) => c.primaryKey())
    .addColumn('user_id', t('text'), (c) => c.notNull())
    .addColumn('created_at', t('epochMs'), (c) => c.notNull())
    .addColumn('updated_at', t('epochMs'), (c) => c.notNull())
    .addColumn('authenticated_at', t('epochMs'), (c) => c.notNull())
    .addColumn('last_interacted_at', t('epochMs'), (c) => c.notNull())
    .addColumn('idle_expires_at', t('epochMs'))
    .addColumn('expires_at', t('epochMs'))
    .addColumn('initial_ip', t('text'))
    .addColumn('initial_user_agent', t('text'))
    .addColumn('last_ip', t('text'))
    .addColumn('last_user_agent', t('text'))
    .addColumn('clients', t('json'), (c) => c.notNull())
    .addColumn('metadata', t('json'))
    .execute();
  await db.schema.createIndex('sessions_user_created').on('sessions').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', t('text'), (c) => c.primaryKey())
    .addColumn('name', t('text'), (c) => c.notNull())
    .addColumn('secret_hash', t('bytes'))
    .addColumn('token_endpoint_auth_method', t('text'), (c) => c.notNull())
    .addColumn('grant_types', t('json'), (c) => c.notNull())
    .addColumn('ip_header_trusted', t('bool'), (c) => c.notNull())
    .addColumn('refresh_token', t('json'), (c) => c.notNull())
    .addColumn('created_at', t('epochMs'), (c) => c.notNull())
    .addColumn('updated_at', t('epochMs'), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('resource_servers')
    .addColumn('identifier', t('text'), (c) => c.primaryKey())
    .addColumn('name', t('text'), (c) => c.notNull())
    .addColumn('scopes', t('json'), (c) => c.notNull())
    .addColumn('allow_offline_access', t('bool'), (c) => c.notNull())
    .addColumn('token_lifetime', t('integer'), (c) => c.notNull())
    .addColumn('signing_alg', t('text'), (c) => c.notNull())
    .addColumn('is_system', t('bool'), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('client_grants')
    .addColumn('id', t('text'), (c) => c.primaryKey())
    .addColumn('client_id', t('text'), (c) => c.notNull())
    .addColumn('audience', t('text'), (c) => c.notNull())
    .addColumn('scope', t('json'), (c) => c.notNull())
    .addUniqueConstraint('client_grants_client_audience', ['client_id', 'audience'])
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', t('text'), (c) => c.primaryKey())
    .addColumn('alg', t('text'), (c) => c.notNull())
    .addColumn('private_jwk', t('text'), (c) => c.notNull())
    .addColumn('public_jwk', t('text'), (c) => c.notNull())
    .addColumn('created_at', t('epochMs'), (c) => c.notNull())
    .addColumn('retired_at', t('epochMs'))
    .addColumn('verify_until', t('epochMs'))
    .execute();

  await db.schema
    .createTable('server_secrets')
    .addColumn('name', t('text'), (c) => c.primaryKey())
    .addColumn('value', t('bytes'), (c) => c.notNull())
    .addColumn('created_at', t('epochMs'), (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['server_secrets', 'signing_keys', 'client_grants', 'resource_servers', 'clients', 'sessions', 'token_families']) {
    await db.schema.dropTable(table).execute();
  }
}
