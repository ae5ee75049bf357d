import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely';
import { columnTypes } from '../../src/store/sql/dialect.js';
import { MIGRATION_NAMES, migrationProvider } from '../../src/store/sql/migrations/index.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { ConfigError } from '../../src/core/errors.js';
import { familyToRow } from '../../src/store/sql/mappers.js';
import { sha256 } from '../../src/tokens/refresh-token.js';
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
      // Ours less the one deleted, plus the unknown one.
      assert.equal((await raw.selectFrom('refreshd_migration').select('name').execute()).length, MIGRATION_NAMES.length, 'nothing was applied or rolled back');
    } finally {
      await store.close();
      await db.drop();
    }
  });
}

// Families written before claims existed keep working: they gain empty claims, and rotation still applies.
for (const kind of STORES) {
  test(`upgrading adds claims to existing families without touching them (${kind})`, async () => {
    const db = await createTestDatabase(kind);
    const store = db.open() as SqlStore;
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: migrationProvider(columnTypes(kind)),
        migrationTableName: 'refreshd_migration',
        migrationLockTableName: 'refreshd_migration_lock',
      });
      assert.equal((await migrator.migrateTo('2026_11_30_0001_client_web_origins')).error, undefined);
      const now = Date.now();
      const f = familyRecord(now);
      // The row as the previous release wrote it: every column it had, none of the new ones.
      const { claims: _c, successor_claims: _s, dpop_jkt: _j, ...oldRow } = familyToRow(f);
      await (store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('token_families')
        .values({ ...oldRow, rotating: kind === 'postgres' ? true : 1 })
        .execute();
      await store.migrate();
      const upgraded = await store.findFamily(f.id);
      assert.deepEqual({ ...upgraded?.claims }, {});
      assert.equal(upgraded?.successorClaims, null);
      // 2026_12_02_1400: existing families are not bound to a DPoP key, and rotate as before (below).
      assert.equal(upgraded?.dpopJkt, null);
      assert.deepEqual(upgraded?.currentHash, f.currentHash);
      const next = sha256(Buffer.from('next'));
      const rotated = await store.exchangeFamily({
        familyId: f.id,
        clientId: f.clientId,
        presentedGeneration: 0,
        presentedHash: f.currentHash,
        now,
        idleExpiresAt: null,
        rotating: true,
        next: { currentHash: next, successorBox: null },
        lastIp: null,
        lastUserAgent: null,
      });
      assert.equal(rotated?.generation, 1);
      assert.deepEqual({ ...rotated?.claims }, {});
    } finally {
      await store.close();
      await db.drop();
    }
  });
}

// 2026_12_02_0200: user client grants get their own table and clients a token-exchange target list; a client and
// its client_credentials grant written before keep working, with no targets and no user grants.
for (const kind of STORES) {
  test(`upgrading to scoped token exchange keeps clients and their client grants (${kind})`, async () => {
    const db = await createTestDatabase(kind);
    const store = db.open() as SqlStore;
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: migrationProvider(columnTypes(kind)),
        migrationTableName: 'refreshd_migration',
        migrationLockTableName: 'refreshd_migration_lock',
      });
      assert.equal((await migrator.migrateTo('2026_11_30_0001_client_web_origins')).error, undefined);
      const raw = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await raw
        .insertInto('clients')
        .values({
          client_id: 'backend',
          name: 'Backend',
          secret_hash: null,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: '["urn:ietf:params:oauth:grant-type:token-exchange"]',
          ip_header_trusted: kind === 'postgres' ? false : 0,
          refresh_token: '{"rotationType":"rotating"}',
          web_origins: '[]',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
      await raw.insertInto('client_grants').values({ id: 'g1', client_id: 'backend', audience: 'https://api', scope: '["read"]' }).execute();
      await store.migrate();
      assert.deepEqual((await store.findClient('backend'))?.tokenExchangeTargetClients, []);
      assert.deepEqual(await store.findClientGrant('backend', 'https://api', 'client'), { id: 'g1', clientId: 'backend', audience: 'https://api', scope: ['read'], subjectType: 'client' });
      assert.equal(await store.findClientGrant('backend', 'https://api', 'user'), null, 'a client grant never authorizes token exchange');
      await store.upsertClientGrant({ id: 'g2', clientId: 'backend', audience: 'https://api', scope: ['read'], subjectType: 'user' });
      assert.deepEqual((await store.listClientGrants()).map((g) => `${g.id}:${g.subjectType}`), ['g1:client', 'g2:user']);
    } finally {
      await store.close();
      await db.drop();
    }
  });
}
