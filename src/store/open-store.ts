import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
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
import type { KeyCipher } from './key-cipher.js';

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
  /** Encrypts private key material at rest (REFRESHD_KEY_ENCRYPTION_KEY); see key-cipher.ts. */
  keyCipher?: KeyCipher | null;
  /** Told about an existing SQLite file that others may read (the server logs it as a warning). */
  onWarning?: (message: string) => void;
}

/**
 * The SQLite database holds private signing keys and MAC keys: a directory refreshd creates is 0700 and the files
 * it creates (database, -wal, -shm) 0600, whatever the umask. SQLite creates -wal and -shm with the database
 * file's permissions, so creating that file 0600 first covers them. Existing files are the operator's: left as
 * they are, with a warning when group or others may read them.
 */
function prepareSqliteFiles(path: string, warn: (message: string) => void): void {
  const dir = dirname(path);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  if (!existsSync(path)) {
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      warn(`${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}) and holds private signing and MAC keys: chmod 600 it (and chmod 700 its directory)`);
    }
  }
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
    if (path !== ':memory:') prepareSqliteFiles(path, options.onWarning ?? (() => {}));
    const database = retainStatements(new BetterSqlite3(path));
    // WAL lets readers (CLI, backups) work beside the server; NORMAL keeps commits durable across process crashes.
    // exec, not pragma(): pragma() prepares a statement that would be left to the garbage collector (see
    // retainStatements).
    database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    return new SqlStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), 'sqlite', { keyCipher: options.keyCipher ?? null });
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
    return new SqlStore(new Kysely<Database>({ dialect }), 'postgres', { keyCipher: options.keyCipher ?? null });
  }
  throw new ConfigError(`REFRESHD_DATABASE_URL: unsupported URL scheme in "${redactUrl(url)}" (use sqlite:<path> or postgres://…)`);
}
