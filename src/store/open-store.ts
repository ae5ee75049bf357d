import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../core/errors.js';
import { redactUrl } from '../core/redact-url.js';
import type { Store } from '../ports/store.js';
import type { Database } from './sql/database.js';
import { namedStatementPool } from './sql/pg-named-statements.js';
import { retainStatements, withStatementCache } from './sql/sqlite-statement-cache.js';
import { SqlStore } from './sql/sql-store.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/refreshd.db';

export interface OpenStoreOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** How long to wait for a PostgreSQL connection before failing with 503 (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Upper bound on any single statement (default 5000 ms). */
  statementTimeoutMs?: number;
  /**
   * Run the hottest PostgreSQL statements as named prepared statements (default true). Turn off behind a pooler
   * without protocol-level prepared statements (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
}

/** Where a `sqlite:` URL points: a file path, or `:memory:`. */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  if (rest === '' ) throw new ConfigError('REFRESHD_DATABASE_URL: an sqlite: URL needs a path, e.g. sqlite:./data/refreshd.db');
  return rest === ':memory:' ? rest : resolve(rest);
}

/** Opens the store named by a database URL: `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…`. */
export function openStore(url: string = DEFAULT_DATABASE_URL, options: OpenStoreOptions = {}): Store {
  if (url.startsWith('sqlite:')) {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const database = retainStatements(new BetterSqlite3(path));
    // WAL lets readers (CLI, backups) work beside the server; NORMAL keeps commits durable across process crashes.
    // exec, not pragma(): pragma() prepares a statement that would be left to the garbage collector (see
    // retainStatements).
    database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    return new SqlStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), 'sqlite');
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      statement_timeout: options.statementTimeoutMs ?? 5000,
      query_timeout: (options.statementTimeoutMs ?? 5000) + 1000,
      // Epoch-millisecond columns are bigint; they fit a JS number exactly.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection (database restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    // Nor may a checked-out one: a connection reset between two statements is emitted on the client itself, and
    // an 'error' event nobody listens to kills the process. The statement in flight (or the next one) fails with
    // the cause, which the store turns into StoreUnavailableError (503), and the pool discards the broken client.
    pool.on('connect', (client) => client.on('error', () => {}));
    const dialect = new PostgresDialect({ pool: options.preparedStatements === false ? pool : namedStatementPool(pool) });
    return new SqlStore(new Kysely<Database>({ dialect }), 'postgres');
  }
  throw new ConfigError(`REFRESHD_DATABASE_URL: unsupported URL scheme in "${redactUrl(url)}" (use sqlite:<path> or postgres://…)`);
}
