import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../src/store/sql/database.js';
import { SqliteGroupCommit } from '../../src/store/sql/sqlite-group-commit.js';

/**
 * SQLite's group commit on a real database file: statements of one event-loop turn share a transaction, each
 * gets its own result, nothing is answered before the commit, and one statement's failure is its own.
 */
describe('SQLite group commit', () => {
  let dir: string;
  let path: string;
  let db: Kysely<Database>;
  let group: SqliteGroupCommit;
  const update = (id: number) => CompiledQuery.raw('update t set n = n + 1 where id = ? returning id, n', [id]);
  /** A second connection, as the CLI or another process would have. */
  const outside = () => new BetterSqlite3(path, { readonly: true });
  const valueOutside = (id: number) => {
    const other = outside();
    try {
      return (other.prepare('select n from t where id = ?').get(id) as { n: number }).n;
    } finally {
      other.close();
    }
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'refreshd-group-commit-'));
    path = join(dir, 'db.sqlite');
    const database = new BetterSqlite3(path);
    database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 100;');
    database.exec('create table t (id integer primary key, n integer not null); insert into t (id, n) with recursive s(i) as (select 1 union all select i + 1 from s where i < 50) select i, 0 from s');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    group = new SqliteGroupCommit(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('statements of one turn each get their own rows, in order, and are committed when they resolve', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i + 1);
    // Two updates of row 1 in the same batch: the second sees the first (as if run one by one).
    const results = await Promise.all([...ids.map((id) => group.execute(update(id))), group.execute(update(1))]);
    assert.deepEqual(
      results.map((r) => r.rows[0]),
      [...ids.map((id) => ({ id, n: 1 })), { id: 1, n: 2 }],
    );
    for (const id of ids) assert.equal(valueOutside(id), id === 1 ? 2 : 1, `row ${id} committed, seen by another connection`);
  });

  test('a failing statement fails alone; the others of its batch are applied', async () => {
    const results = await Promise.allSettled([group.execute(update(30)), group.execute(CompiledQuery.raw('update no_such_table set n = 1')), group.execute(update(31))]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /no such table/);
    assert.equal(results[2].status, 'fulfilled');
    assert.equal(valueOutside(30), 1);
    assert.equal(valueOutside(31), 1);
  });

  test('while another connection holds the write lock, the whole batch fails busy and nothing is applied', async () => {
    const writer = new BetterSqlite3(path);
    writer.exec('BEGIN IMMEDIATE');
    try {
      const results = await Promise.allSettled([group.execute(update(40)), group.execute(update(41))]);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.equal((r.reason as { code?: string }).code, 'SQLITE_BUSY');
      }
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    assert.equal(valueOutside(40), 0);
    assert.equal(valueOutside(41), 0);
    // And the next batch goes through.
    assert.deepEqual((await group.execute(update(40))).rows[0], { id: 40, n: 1 });
  });

  test('a batch waits for a transaction another caller has open on the same connection', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const trx = db.transaction().execute(async (t) => {
      await t.executeQuery(CompiledQuery.raw('update t set n = 100 where id = 45'));
      await held;
      await t.executeQuery(CompiledQuery.raw('update t set n = n + 100 where id = 45'));
    });
    const batched = group.execute(update(45));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await trx;
    // Had the batch run inside the open transaction, it would have seen 100 and left 201.
    assert.deepEqual((await batched).rows[0], { id: 45, n: 201 });
  });
});
