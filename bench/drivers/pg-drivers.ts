#!/usr/bin/env node
/**
 * `node dist/bench/drivers/pg-drivers.js`: refreshd's hot statement (the rotation compare-and-set, through
 * SqlStore.exchangeFamily, the code path a refresh takes) on two PostgreSQL drivers in one process and one run:
 * node-postgres (`pg`, named prepared statement, as refreshd ships) and postgres.js (`postgres` through
 * `kysely-postgres-js`, which prepares every statement). Pool of 10 each, 32 exchanges in flight, rounds
 * interleaved A B A B … on one database; each exchange rotates a family nobody has touched.
 * Reports client CPU, PostgreSQL backend CPU and system calls (client and backends) per exchange.
 * Writes bench/results/pg-drivers.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { Database } from '../../src/store/sql/database.js';
import { openStore } from '../../src/store/open-store.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { sha256 } from '../../src/tokens/refresh-token.js';
import { CLIENT_ID } from '../lib/bench-client.js';
import { benchFamilyId, benchSecret, insertBulkFamilies } from '../lib/bulk-families.js';
import { createBenchDatabase, dropAllCreated } from '../lib/pg-database.js';
import { cpuWindow, databaseBackendPids } from '../lib/proc-stats.js';
import { countSyscalls, perRequest, syscallCountingAvailable } from '../lib/syscall-count.js';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const perRound = Number(option('per-round') ?? 5000);
const rounds = Number(option('rounds') ?? 3);
const inFlight = 32;

function postgresJsStore(url: string): SqlStore {
  const sql = postgres(url, {
    max: 10,
    prepare: true,
    onnotice: () => {},
    // Epoch-millisecond columns are bigint; refreshd reads them as numbers (as its pg type parser does).
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
  });
  return new SqlStore(new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) }), 'postgres');
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  try {
    const setup = openStore(db.url);
    await setup.migrate();
    await setup.close();
    const total = perRound * rounds * 2 + 2 * inFlight;
    await insertBulkFamilies('postgres', db.url, 0, total, 'active');
    const drivers = [
      { name: 'pg (node-postgres 8, named prepared statement)', store: openStore(db.url) as SqlStore },
      { name: 'postgres (postgres.js 3 via kysely-postgres-js, prepare: true)', store: postgresJsStore(db.url) },
    ];
    let nextFamily = 0;
    const exchangeOne = async (store: SqlStore) => {
      const i = nextFamily++;
      const now = Date.now();
      const r = await store.exchangeFamily({
        familyId: benchFamilyId(i),
        clientId: CLIENT_ID,
        presentedGeneration: 0,
        presentedHash: sha256(benchSecret(i)),
        now,
        idleExpiresAt: now + 86_400_000,
        rotating: true,
        next: { currentHash: sha256(String(i)), successorBox: null },
        lastIp: '203.0.113.9',
        lastUserAgent: 'bench',
      });
      if (!r) throw new Error(`exchange of family ${i} did not apply`);
    };
    const run = async (store: SqlStore, n: number) => {
      let left = n;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (left-- > 0) await exchangeOne(store);
      }));
    };
    for (const d of drivers) await run(d.store, inFlight); // connect the pools, prepare the statements
    const counting = syscallCountingAvailable().ok;
    const samples: Record<string, { exchangesPerSecond: number; clientCpuMicros: number; clientKernelMicros: number; databaseCpuMicros: number; clientSyscalls?: number; databaseSyscalls?: number; databaseContextSwitches?: number }[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const d of drivers) {
        const backends = databaseBackendPids(db.name);
        const stopClient = counting ? await countSyscalls([process.pid]) : null;
        const stopDb = counting && backends.length ? await countSyscalls(backends) : null;
        const close = cpuWindow(process.pid, db.name);
        const t0 = performance.now();
        await run(d.store, perRound);
        const seconds = (performance.now() - t0) / 1000;
        const cpu = close();
        const client = stopClient ? perRequest(await stopClient(), perRound) : null;
        const server = stopDb ? perRequest(await stopDb(), perRound) : null;
        const per = (cores: number) => (cores * cpu.wallSeconds * 1e6) / perRound;
        (samples[d.name] ??= []).push({
          exchangesPerSecond: perRound / seconds,
          clientCpuMicros: per(cpu.serverCores),
          clientKernelMicros: per(cpu.serverSystemCores),
          databaseCpuMicros: per(cpu.databaseCores),
          ...(client ? { clientSyscalls: client.total } : {}),
          ...(server ? { databaseSyscalls: server.total, databaseContextSwitches: server.contextSwitches } : {}),
        });
        console.log(`${d.name}: ${Math.round(perRound / seconds)}/s, client ${per(cpu.serverCores).toFixed(1)} µs, PostgreSQL ${per(cpu.databaseCores).toFixed(1)} µs, syscalls ${client?.total.toFixed(2) ?? '–'} / ${server?.total.toFixed(2) ?? '–'} per exchange`);
      }
    }
    for (const d of drivers) await d.store.close();
    const out = { startedAt: new Date().toISOString(), perRound, rounds, inFlight, samples };
    const dir = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pg-drivers.json'), JSON.stringify(out, null, 2) + '\n');
  } finally {
    await db.drop();
    await dropAllCreated();
  }
}

main().catch(async (err: unknown) => {
  console.error(err);
  await dropAllCreated();
  process.exit(1);
});
