import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { RefreshTokenCodec } from '../../src/tokens/refresh-token.js';
import { sqlitePath } from '../../src/store/open-store.js';
import { CLIENT_ID, ES256_AUDIENCE, SCOPE, USER_AGENT } from './bench-client.js';
import type { StoreKind } from './storage.js';

/**
 * Millions of token families written by SQL (PostgreSQL's generate_series, SQLite's recursive CTE), not through
 * HTTP, each with a secret the harness can derive, so it can present a valid refresh token for any of them:
 *   family id = base64url(SHA-256("refreshd-bench-family-" ‖ i)[0..16]), secret = SHA-256("refreshd-bench-secret-" ‖ i),
 *   current_hash = SHA-256(secret), generation 0, for the bench's rotating client and ES256 API.
 * `kind` 'active' families live for 30 days; 'expired' ones expired 30 days ago (garbage for the cleanup job).
 * The ids are hashes, so expired and active families interleave all over the primary key, as in real life.
 */

const FAMILY_PREFIX = 'refreshd-bench-family-';
const SECRET_PREFIX = 'refreshd-bench-secret-';
const DAY_MS = 86_400_000;

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest();

export function benchFamilyId(i: number, kind: 'active' | 'expired' = 'active'): string {
  return sha(FAMILY_PREFIX + (kind === 'expired' ? 'x' : '') + i).subarray(0, 16).toString('base64url');
}

export function benchSecret(i: number): Buffer {
  return sha(SECRET_PREFIX + i);
}

/** Refresh tokens (generation 0) for bulk families, under the server's MAC key. */
export class BenchTokenMinter {
  readonly #codec: RefreshTokenCodec;
  constructor(macKey: Buffer) {
    this.#codec = new RefreshTokenCodec(macKey);
  }
  token(i: number): string {
    return this.#codec.format(benchFamilyId(i), 0, benchSecret(i));
  }
}

/** The refresh-token MAC key refreshd created in this database on its first start. */
export async function readMacKey(kind: StoreKind, url: string): Promise<Buffer> {
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ value: Buffer }>("select value from server_secrets where name = 'refresh_token_mac'");
      if (!rows[0]) throw new Error('no refresh_token_mac: start refreshd on the database once first');
      return rows[0].value;
    } finally {
      await c.end();
    }
  }
  const db = new BetterSqlite3(sqlitePath(url), { readonly: true });
  try {
    const row = db.prepare("select value from server_secrets where name = 'refresh_token_mac'").get() as { value: Buffer } | undefined;
    if (!row) throw new Error('no refresh_token_mac: start refreshd on the database once first');
    return row.value;
  } finally {
    db.close();
  }
}

function lifetimes(kind: 'active' | 'expired', now: number) {
  return kind === 'active'
    ? { createdAt: now - DAY_MS, idleExpiresAt: now + 15 * DAY_MS, expiresAt: now + 30 * DAY_MS }
    : { createdAt: now - 60 * DAY_MS, idleExpiresAt: now - 45 * DAY_MS, expiresAt: now - 30 * DAY_MS };
}

/** Inserts families [from, to) of `kind`, in transactions of `chunk` rows. */
export async function insertBulkFamilies(store: StoreKind, url: string, from: number, to: number, kind: 'active' | 'expired', now = Date.now(), chunk = 250_000): Promise<void> {
  const t = lifetimes(kind, now);
  const familyPrefix = FAMILY_PREFIX + (kind === 'expired' ? 'x' : '');
  const userPrefix = kind === 'expired' ? 'auth0|bench-expired-' : 'auth0|bench-scale-';
  if (store === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (let a = from; a < to; a += chunk) {
        const b = Math.min(to, a + chunk) - 1;
        await c.query(
          `insert into token_families (id, user_id, client_id, session_id, audience, scope, generation, rotating, current_hash, created_at, idle_expires_at, expires_at, initial_ip, initial_user_agent, last_ip, last_user_agent)
           select translate(rtrim(encode(substr(sha256(convert_to($1 || i, 'UTF8')), 1, 16), 'base64'), '='), '+/', '-_'),
                  $2 || i, $3, null, $4, $5, 0, true, sha256(sha256(convert_to($6 || i, 'UTF8'))), $7, $8, $9,
                  '203.0.113.57', $10, '198.51.100.23', $10
           from generate_series($11::bigint, $12::bigint) as i`,
          [familyPrefix, userPrefix, CLIENT_ID, ES256_AUDIENCE, SCOPE, SECRET_PREFIX, t.createdAt, t.idleExpiresAt, t.expiresAt, USER_AGENT, a, b],
        );
      }
      await c.query('vacuum (analyze) token_families');
    } finally {
      await c.end();
    }
    return;
  }
  const db = new BetterSqlite3(sqlitePath(url));
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.function('bench_family_id', { deterministic: true }, (i: unknown) => sha(familyPrefix + String(i)).subarray(0, 16).toString('base64url'));
    db.function('bench_hash', { deterministic: true }, (i: unknown) => sha(sha(SECRET_PREFIX + String(i))));
    const insert = db.prepare(
      `insert into token_families (id, user_id, client_id, session_id, audience, scope, generation, rotating, current_hash, created_at, idle_expires_at, expires_at, initial_ip, initial_user_agent, last_ip, last_user_agent)
       with recursive s(i) as (select ? union all select i + 1 from s where i < ?)
       select bench_family_id(i), ? || i, ?, null, ?, ?, 0, 1, bench_hash(i), ?, ?, ?, '203.0.113.57', ?, '198.51.100.23', ? from s`,
    );
    for (let a = from; a < to; a += chunk) {
      const b = Math.min(to, a + chunk) - 1;
      db.transaction(() => insert.run(a, b, userPrefix, CLIENT_ID, ES256_AUDIENCE, SCOPE, t.createdAt, t.idleExpiresAt, t.expiresAt, USER_AGENT, USER_AGENT))();
    }
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Families of `kind` still in the table (to see the cleanup job's progress). */
export async function countBulk(store: StoreKind, url: string, kind: 'active' | 'expired'): Promise<number> {
  const prefix = kind === 'expired' ? 'auth0|bench-expired-%' : 'auth0|bench-scale-%';
  if (store === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('select count(*) as n from token_families where user_id like $1', [prefix])).rows[0]?.n);
    } finally {
      await c.end();
    }
  }
  const db = new BetterSqlite3(sqlitePath(url), { readonly: true });
  try {
    return (db.prepare('select count(*) as n from token_families where user_id like ?').get(prefix) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Bytes the database takes on disk: the SQLite file and its WAL, or pg_database_size. */
export async function diskBytes(store: StoreKind, url: string): Promise<number> {
  if (store === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]?.n);
    } finally {
      await c.end();
    }
  }
  const { statSync } = await import('node:fs');
  const path = sqlitePath(url);
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}
