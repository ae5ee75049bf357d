import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store, StoreDialect } from '../../src/ports/store.js';
import { openStore } from '../../src/store/open-store.js';

/** Stores under test: both by default; STORES=sqlite narrows for a quick local run. PostgreSQL is never skipped silently. */
export const STORES: StoreDialect[] = (process.env.STORES ?? 'sqlite,postgres').split(',').filter(Boolean) as StoreDialect[];

export const PG_ADMIN_URL = process.env.REFRESHD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: StoreDialect;
  url: string;
  open(): Store;
  drop(): Promise<void>;
}

/** A fresh, empty database: an SQLite file in a temp dir, or a new PostgreSQL database on the local server. */
export async function createTestDatabase(kind: StoreDialect): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'refreshd-test-'));
    const url = `sqlite:${join(dir, 'refreshd.db')}`;
    return { kind, url, open: () => openStore(url), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `refreshd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    kind,
    url,
    open: () => openStore(url),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
