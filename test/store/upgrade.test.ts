import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely';
import { columnTypes } from '../../src/store/sql/dialect.js';
import { migrationProvider } from '../../src/store/sql/migrations/index.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { ConfigError } from '../../src/core/errors.js';
import { familyRecord } from '../helpers/records.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';

// An operator upgrading keeps their data: a database written by the previous release (migrations up to
// 2026_11_22_1200) migrates to the latest with its clients intact, and they get the new columns' defaults.
for (const kind of STORES) {
  test(`upgrading a database of the previous release keeps its clients (${kind})`, async () => {
    const db = await createTestDatabase(kind);
    const store = db.open() as SqlStore;
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: migrationProvider(columnTypes(kind)),
        migrationTableName: 'refreshd_migration',
        migrationLockTableName: 'refreshd_migration_lock',
      });
      const previous = await migrator.migrateTo('2026_11_22_1200_security_events');
      assert.equal(previous.error, undefined);
      // The row as the previous release wrote it: no web_origins column yet.
      await (store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('clients')
        .values({
          client_id: 'old-app',
          name: 'Old app',
          secret_hash: null,
          token_endpoint_auth_method: 'none',
          grant_types: '["refresh_token"]',
          ip_header_trusted: kind === 'postgres' ? false : 0,
          refresh_token: '{"rotationType":"rotating"}',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
      await store.migrate();
      const client = await store.findClient('old-app');
      assert.equal(client?.name, 'Old app');
      assert.deepEqual(client?.webOrigins, []);
      assert.deepEqual(client?.grantTypes, ['refresh_token']);
    } finally {
      await store.close();
      await db.drop();
    }
  });
}

for (const kind of STORES) {
  test(`a database migrated by a newer release still serves an old instance; a diverged one is refused (${kind})`, async () => {
    const db = await createTestDatabase(kind);
    const store = db.open() as SqlStore;
    try {
      await store.migrate();
      const raw = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      // A newer release added a migration after all of ours: an old instance restarting mid-rollout still runs.
      await raw.insertInto('refreshd_migration').values({ name: '2099_01_01_0000_from_the_future', timestamp: new Date().toISOString() }).execute();
      assert.deepEqual(await store.migrate(), { newer: ['2099_01_01_0000_from_the_future'] });
      const f = familyRecord(Date.now());
      await store.createFamily(f, { maxActive: 200, now: Date.now() });
      assert.equal((await store.findFamily(f.id))?.id, f.id);

      // One of ours missing beside an unknown one: not a newer release of this line, so nothing runs on it.
      await raw.deleteFrom('refreshd_migration').where('name', '=', '2026_11_30_0001_client_web_origins').execute();
      await assert.rejects(store.migrate(), (err: Error) => err instanceof ConfigError && /does not know \(2099_01_01_0000_from_the_future\) and lacks some it does/.test(err.message));
      assert.equal((await raw.selectFrom('refreshd_migration').select('name').execute()).length, 3, 'nothing was applied or rolled back');
    } finally {
      await store.close();
      await db.drop();
    }
  });
}
