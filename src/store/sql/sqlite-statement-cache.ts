import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Every statement ever prepared, kept until the process ends. better-sqlite3 12 finalises a collected Statement
 * in a destructor that, on Node 24.19 and later, aborts the process when V8 runs it outside a JavaScript context
 * (nodejs/node#65446; better-sqlite3 13 avoids it but does not run on Node 20). Statements that are never
 * collected never reach that destructor. The set is bounded by the distinct SQL texts refreshd runs, because
 * the cache below reuses each one.
 */
const retained: Statement[] = [];

/** Makes every `prepare` on `db` (better-sqlite3's own, for pragmas, included) keep its statement alive. */
export function retainStatements(db: BetterSqlite3Database): BetterSqlite3Database {
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    retained.push(stmt);
    return stmt;
  }) as typeof db.prepare;
  return db;
}

/**
 * better-sqlite3 for Kysely, with prepared statements reused. Kysely's SQLite driver prepares every query it
 * runs; compiling the SQL each time was a tenth of the refresh grant's main-thread time (bench/FINDINGS.md).
 * Reusing a statement is safe here: Kysely serialises all queries on the one connection, and statements run to
 * completion synchronously (nothing iterates one while another call could prepare it). Nothing is evicted: the
 * SQL texts are fixed by the code (a few vary with a list's length, which is capped), and see `retained`.
 */
export function withStatementCache(db: BetterSqlite3Database): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
