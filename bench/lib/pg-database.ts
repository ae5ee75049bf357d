import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.REFRESHD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = 'refreshd_bench_';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const created = new Set<string>();

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Drops databases left by earlier harness runs that died without cleaning up. Names carry the creating pid,
 * so a concurrent run's database (its pid alive) is never touched.
 */
export async function dropStaleDatabases(): Promise<string[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${PREFIX}%`]);
    const stale = rows.map((r) => r.datname).filter((name) => !pidAlive(Number(name.slice(PREFIX.length).split('_')[0])));
    for (const name of stale) await c.query(`drop database if exists ${name} with (force)`);
    return stale;
  });
}

/** A fresh database on the local server, dropped by drop() or, failing that, by dropAllCreated(). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `${PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  created.add(name);
  return {
    name,
    url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
      created.delete(name);
    },
  };
}

/** Drops every database this process created and has not dropped yet. */
export async function dropAllCreated(): Promise<void> {
  for (const name of [...created]) {
    await admin((c) => c.query(`drop database if exists ${name} with (force)`)).catch(() => {});
    created.delete(name);
  }
}

export async function postgresVersion(): Promise<string> {
  return admin(async (c) => (await c.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?');
}
