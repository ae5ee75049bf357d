import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TokenFamily } from '../../src/core/types.js';
import { emptyClaims, type Claims } from '../../src/core/claims.js';
import { randomId } from '../../src/core/ids.js';
import { openStore, sqlitePath } from '../../src/store/open-store.js';
import { familyToRow } from '../../src/store/sql/mappers.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { USER_AGENT } from './bench-client.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface StorageFigures {
  families: number;
  /** Table + indexes (+ TOAST, FSM, VM on PostgreSQL), in bytes. */
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  bytesPerFamily: number;
  method: string;
}

const DAY_MS = 86_400_000;
const AUTH0_STYLE_CLIENT_ID = 'Vf3kT9qLm2Xw8RzA1bC4dE6gH0jN5pQs';

/**
 * An active family as refreshd writes it for a rotating, expiring client after a few rotations: an Auth0-style
 * user id and client id, a session, both digests, the timestamps, and a browser's IP and User-Agent for the first
 * and latest exchange. The User-Agent strings are the largest part of the row.
 */
function activeFamily(now: number, claimsBytes: number): TokenFamily {
  const createdAt = now - Math.floor(Math.random() * 10 * DAY_MS);
  return {
    id: randomId(),
    userId: `auth0|${randomBytes(12).toString('hex')}`,
    clientId: AUTH0_STYLE_CLIENT_ID,
    sessionId: randomId(),
    audience: 'https://api.example.com/',
    scope: ['openid', 'profile', 'email', 'offline_access', 'read:data'],
    generation: 3,
    rotating: true,
    currentHash: randomBytes(32),
    previousHash: randomBytes(32),
    successorBox: null,
    createdAt,
    rotatedAt: now,
    lastExchangedAt: now,
    idleExpiresAt: now + 15 * DAY_MS,
    expiresAt: createdAt + 30 * DAY_MS,
    revokedAt: null,
    revokedReason: null,
    device: { initialIp: '203.0.113.57', initialUserAgent: USER_AGENT, lastIp: '198.51.100.23', lastUserAgent: USER_AGENT },
    metadata: {},
    claims: claimsBytes > 0 ? claimsOfSize(claimsBytes) : emptyClaims(),
    successorClaims: null,
    dpopJkt: null,
  };
}

/**
 * Claims an application would give a family (roles, tenant, plan), padded to exactly `bytes` bytes of JSON, each
 * family's different, so neither store can share or compress them away.
 */
export function claimsOfSize(bytes: number): Claims {
  const claims: Claims = Object.assign(emptyClaims(), {
    'https://example.com/roles': ['admin', 'billing'],
    tenant: `tenant-${randomBytes(6).toString('hex')}`,
    plan: 'enterprise',
    pad: '',
  });
  const missing = bytes - Buffer.byteLength(JSON.stringify(claims));
  if (missing < 0) throw new Error(`claims cannot be as small as ${bytes} bytes`);
  claims.pad = randomBytes(Math.ceil(missing / 2)).toString('hex').slice(0, missing);
  return claims;
}

/**
 * Migrates the database at `url` and bulk-inserts `count` active families through refreshd's own row mapper, each
 * with `claimsBytes` bytes of custom claims (0: none).
 */
export async function populateFamilies(url: string, count: number, claimsBytes = 0): Promise<void> {
  const store = openStore(url);
  if (!(store instanceof SqlStore)) throw new Error('expected an SQL store');
  try {
    await store.migrate();
    const now = Date.now();
    const batch = 1000; // 25 columns × 1000 rows stays under both drivers' bind-parameter limits
    for (let done = 0; done < count; done += batch) {
      const rows = Array.from({ length: Math.min(batch, count - done) }, () => familyToRow(activeFamily(now, claimsBytes)));
      await store.db.insertInto('token_families').values(rows).execute();
    }
  } finally {
    await store.close();
  }
}

export async function measureStorage(kind: StoreKind, url: string): Promise<StorageFigures> {
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // A vacuum gives the steady state (visibility map and free-space map exist) instead of a just-loaded heap.
      await c.query('vacuum (analyze) token_families');
      const { rows } = await c.query<{ total: string; heap: string; idx: string; n: string }>(
        `select pg_total_relation_size('token_families') as total, pg_table_size('token_families') as heap,
                pg_indexes_size('token_families') as idx, (select count(*) from token_families) as n`,
      );
      const r = rows[0]!;
      const families = Number(r.n);
      return {
        families,
        totalBytes: Number(r.total),
        tableBytes: Number(r.heap),
        indexBytes: Number(r.idx),
        bytesPerFamily: Number(r.total) / families,
        method: "pg_total_relation_size('token_families') (heap, TOAST, FSM, VM and all indexes) after VACUUM ANALYZE",
      };
    } finally {
      await c.end();
    }
  }
  const db = new BetterSqlite3(sqlitePath(url), { readonly: true });
  try {
    const families = (db.prepare('select count(*) as n from token_families').get() as { n: number }).n;
    const objects = db.prepare("select name, type from sqlite_master where tbl_name = 'token_families'").all() as { name: string; type: string }[];
    try {
      const size = db.prepare('select coalesce(sum(pgsize), 0) as bytes from dbstat where name = ?');
      let tableBytes = 0;
      let indexBytes = 0;
      for (const o of objects) {
        const bytes = (size.get(o.name) as { bytes: number }).bytes;
        if (o.type === 'table') tableBytes += bytes;
        else indexBytes += bytes;
      }
      const totalBytes = tableBytes + indexBytes;
      return { families, totalBytes, tableBytes, indexBytes, bytesPerFamily: totalBytes / families, method: 'dbstat: pages of token_families and its indexes' };
    } catch {
      const pages = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const totalBytes = pages * pageSize;
      return { families, totalBytes, tableBytes: NaN, indexBytes: NaN, bytesPerFamily: totalBytes / families, method: 'page_count × page_size of the whole file (dbstat unavailable)' };
    }
  } finally {
    db.close();
  }
}

/** Row counts of every table in the database, to show that a refresh adds no rows anywhere. */
export async function countRows(kind: StoreKind, url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ t: string }>("select tablename as t from pg_tables where schemaname = 'public' order by 1");
      for (const { t } of rows) out[t] = Number((await c.query<{ n: string }>(`select count(*) as n from "${t}"`)).rows[0]?.n);
    } finally {
      await c.end();
    }
    return out;
  }
  const db = new BetterSqlite3(sqlitePath(url), { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1").all() as { name: string }[];
    for (const { name } of tables) out[name] = (db.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
  return out;
}

export function sqliteVersion(): string {
  const db = new BetterSqlite3(':memory:');
  try {
    return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}
