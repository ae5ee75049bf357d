import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * better-sqlite3 for Kysely, with prepared statements reused. Kysely's SQLite driver prepares every query it
 * runs; compiling the SQL each time was a tenth of the refresh grant's main-thread time (bench/FINDINGS.md).
 * Reusing a statement is safe here: Kysely serialises all queries on the one connection, and statements run to
 * completion synchronously (nothing iterates one while another call could prepare it).
 *
 * Bounded, least recently used first out, because a few queries vary their SQL with input (`in (?, ?, …)`).
 */
export function withStatementCache(db: BetterSqlite3Database, maxStatements = 200): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= maxStatements) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
