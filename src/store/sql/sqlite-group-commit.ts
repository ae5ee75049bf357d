import { sql, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './database.js';
import { isUnavailable } from './store-errors.js';

const READ_ONLY = /^\s*select\b/i;

interface Queued {
  query: CompiledQuery<unknown>;
  resolve(result: QueryResult<unknown>): void;
  reject(err: unknown): void;
}

/**
 * Group commit for SQLite: statements handed in during one event-loop turn run one after another in a single
 * transaction, committed before any of their promises settles. Each SQLite transaction in WAL mode costs `fcntl`
 * lock calls on the shared-memory index (six for a write, two to four for a read) besides its page writes; on a VM
 * where every system call traps to the hypervisor that was a third of a refresh's event-loop time, and what made
 * the SQLite path sensitive to the machine (bench/FINDINGS.md). Under load a turn carries several refreshes (each a
 * read of its family, then the compare-and-set), so they share the locking. A batch of reads only is a read
 * transaction: it takes no write lock.
 *
 * Semantics are those of running the statements one by one: each sees the effects of the ones before it (two
 * refreshes of one token in a batch: the first wins, the second misses), and none is answered before the commit,
 * so a 200 still means committed. If the batch fails as a whole (a statement error, SQLITE_BUSY), it is rolled
 * back and each statement runs again on its own, so one statement's failure never fails another's request (an
 * unavailable database fails them all).
 * Only the database connection is shared: Kysely's connection lock keeps a batch out of any other transaction.
 *
 * A batch that writes begins IMMEDIATE: it takes the write lock first, waiting on the busy timeout for another
 * process (the CLI, a second instance). A deferred transaction that reads and then writes cannot wait: if another
 * process committed after its read, SQLite answers SQLITE_BUSY_SNAPSHOT at once, and that was a 503 for a race
 * across instances on one file.
 */
export class SqliteGroupCommit {
  readonly #db: Kysely<Database>;
  #queue: Queued[] = [];

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  execute<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
    return new Promise<QueryResult<R>>((resolve, reject) => {
      // setImmediate: after the poll phase, i.e. after every request whose bytes arrived in this turn has run up
      // to its statement.
      if (this.#queue.push({ query, resolve: resolve as Queued['resolve'], reject }) === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 1) return this.#one(batch[0]!);
    let results: QueryResult<unknown>[];
    try {
      results = await this.#db.connection().execute(async (conn) => {
        await (batch.some((item) => !READ_ONLY.test(item.query.sql)) ? sql`begin immediate` : sql`begin`).execute(conn);
        try {
          const out: QueryResult<unknown>[] = [];
          for (const item of batch) out.push(await conn.executeQuery(item.query));
          await sql`commit`.execute(conn);
          return out;
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      // Rolled back: nothing of the batch is applied. The database being busy or gone fails every statement alike
      // (and retrying each would block the event loop once per statement for the busy timeout); any other error
      // may be one statement's own, so each runs again alone and gets its own outcome.
      if (isUnavailable(err)) for (const item of batch) item.reject(err);
      else for (const item of batch) await this.#one(item);
      return;
    }
    batch.forEach((item, i) => item.resolve(results[i]!));
  }

  async #one(item: Queued): Promise<void> {
    try {
      item.resolve(await this.#db.executeQuery(item.query));
    } catch (err) {
      item.reject(err);
    }
  }
}
