#!/usr/bin/env node
/**
 * `npm run bench:scale`: how refreshd's cost grows with the data, on SQLite and PostgreSQL. A separate, longer mode
 * of the bench (tens of minutes; the run records its wall time). For each store, one database grows in place:
 *
 *   1. families inserted by SQL up to each size (default 100k, 1M, 10M); at each size, refresh throughput, p99,
 *      CPU per refresh and the disk used, with every refresh on a family picked at random over the whole table;
 *   2. at the first size, and at the last, the server's memory after `--memory-refreshes` refreshes (default 1M);
 *   3. at the second size: `--expired` (default 1M) expired families added, then refreshes without the cleanup job
 *      and with it deleting them (REFRESHD_GC_INTERVAL_SECONDS=1), p99 of each;
 *   4. PostgreSQL only, at the second size: two refreshd instances on the one database, PostgreSQL's CPU per refresh.
 *
 * Writes bench/results/scale.json; `npm run bench -- --render` puts it into BENCHMARKS.md.
 *   --stores=sqlite,postgres --sizes=100000,1000000,10000000 --seconds=15 --memory-refreshes=1000000 --expired=1000000
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open-store.js';
import { REFRESHD_ISSUER, refreshBody, refreshdConfig, REQUEST_HEADERS, TOKEN_PATH } from './lib/bench-client.js';
import { BenchTokenMinter, countBulk, diskBytes, insertBulkFamilies, readMacKey } from './lib/bulk-families.js';
import { freePort, killAllChildren, startProcess, type StartedProcess } from './lib/children.js';
import { createBenchDatabase, dropAllCreated } from './lib/pg-database.js';
import { cpuWindow, peakRssBytes } from './lib/proc-stats.js';
import type { StoreKind } from './lib/storage.js';
import { LatencyRecorder } from './load/latency-recorder.js';
import { RandomFamilies } from './load/random-families.js';
import { runLoad } from './load/run-load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const stores = (option('stores') ?? 'sqlite,postgres').split(',') as StoreKind[];
const sizes = (option('sizes') ?? '100000,1000000,10000000').split(',').map(Number);
const seconds = Number(option('seconds') ?? 15);
const memoryRefreshes = Number(option('memory-refreshes') ?? 1_000_000);
const expired = Number(option('expired') ?? 1_000_000);
const connections = 32;
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface LoadFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  serverCpuMicrosPerRefresh: number;
  eventLoopMicrosPerRefresh: number;
  databaseCpuMicrosPerRefresh: number;
  otherCores: number;
}

interface StoreScale {
  store: StoreKind;
  sizes: { families: number; insertSeconds: number; diskBytes: number; load: LoadFigures }[];
  memory: { families: number; refreshes: number; rssBytes: number; peakRssBytes: number }[];
  cleanup?: { activeFamilies: number; expiredFamilies: number; without: LoadFigures; during: LoadFigures; deletedDuring: number; gcBatches: string };
  twoInstances?: { families: number; one: LoadFigures; two: LoadFigures };
  problems: string[];
}

const tmp = mkdtempSync(join(tmpdir(), 'refreshd-scale-'));
const configPath = join(tmp, 'refreshd.json');
writeFileSync(configPath, JSON.stringify(refreshdConfig()));
const cleanup = async () => {
  killAllChildren();
  await dropAllCreated();
  rmSync(tmp, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

function startRefreshd(url: string, env: Record<string, string> = {}): Promise<StartedProcess> {
  return freePort().then((port) =>
    startProcess({
      name: 'refreshd',
      args: [CLI, 'serve'],
      env: { REFRESHD_DATABASE_URL: url, REFRESHD_CONFIG: configPath, REFRESHD_ISSUER, LOG_LEVEL: 'info', REFRESHD_GC_INTERVAL_SECONDS: '0', ...env },
      port,
      readyPath: '/health/ready',
      readyTimeoutMs: 120_000,
    }),
  );
}

/** Random-family refreshes against `servers` (connections split between them) for `secs`, or until `amount`. */
async function load(servers: StartedProcess[], families: RandomFamilies, secs: number, pgName: string | undefined): Promise<LoadFigures> {
  const latencies = new LatencyRecorder();
  const before = { ok: families.ok, failed: families.failed };
  const closers = servers.map((s) => cpuWindow(s.pid, pgName));
  const t0 = performance.now();
  await Promise.all(
    servers.map((s) =>
      runLoad({
        url: s.url,
        method: 'POST',
        headers: REQUEST_HEADERS,
        connections: Math.floor(connections / servers.length),
        durationSeconds: secs,
        latencies,
        source: () => families.source(refreshBody, TOKEN_PATH),
      }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = closers.map((c) => c());
  const ok = families.ok - before.ok;
  const rps = ok / wall;
  const per = (cores: number) => (cores * 1e6) / rps;
  const p = latencies.percentiles();
  return {
    requestsPerSecond: rps,
    p50: p.p50,
    p99: p.p99,
    ok,
    failed: families.failed - before.failed,
    serverCpuMicrosPerRefresh: per(cpu.reduce((n, c) => n + c.serverCores, 0)),
    eventLoopMicrosPerRefresh: per(cpu.reduce((n, c) => n + c.serverMainThreadCores, 0)),
    // Every window sees all the database's backends; count them once.
    databaseCpuMicrosPerRefresh: per(cpu[0]!.databaseCores),
    otherCores: cpu[0]!.otherCores,
  };
}

/** Resident memory now (VmRSS), in bytes. */
function vmRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function scaleStore(kind: StoreKind): Promise<StoreScale> {
  const out: StoreScale = { store: kind, sizes: [], memory: [], problems: [] };
  const database = kind === 'postgres' ? await createBenchDatabase() : null;
  const url = database ? database.url : `sqlite:${join(tmp, 'scale.db')}`;
  const pgName = database?.name;
  const store = openStore(url);
  await store.migrate();
  await store.close();
  // One start creates the server secrets (the MAC key the harness mints tokens under) and applies the config.
  await (await startRefreshd(url)).stop();
  const minter = new BenchTokenMinter(await readMacKey(kind, url));
  const mint = (i: number) => minter.token(i);

  let have = 0;
  let successors: string[] = [];
  for (const [index, size] of sizes.entries()) {
    const free = statfsSync(tmp);
    const needed = (size - have) * 1100;
    if (free.bavail * free.bsize < needed * 2) {
      out.problems.push(`stopped before ${size.toLocaleString('en-US')} families: ${Math.round((free.bavail * free.bsize) / 2 ** 30)} GiB free, ~${Math.round((needed * 2) / 2 ** 30)} GiB needed`);
      break;
    }
    const t = performance.now();
    await insertBulkFamilies(kind, url, have, size, 'active');
    const insertSeconds = (performance.now() - t) / 1000;
    log(`${kind}: ${size.toLocaleString('en-US')} families (${insertSeconds.toFixed(0)} s to insert ${(size - have).toLocaleString('en-US')})`);
    const families = new RandomFamilies(have, size, mint, successors);
    have = size;

    const server = await startRefreshd(url);
    try {
      await load([server], families, 3, pgName); // warm-up
      const figures = await load([server], families, seconds, pgName);
      out.sizes.push({ families: size, insertSeconds, diskBytes: await diskBytes(kind, url), load: figures });
      log(`  ${Math.round(figures.requestsPerSecond)}/s, p99 ${figures.p99.toFixed(1)} ms, server ${Math.round(figures.serverCpuMicrosPerRefresh)} µs/refresh`);
      if (figures.failed) out.problems.push(`${size}: ${figures.failed} refreshes failed: ${JSON.stringify(families.failures)}`);
      if (index === 0 || index === sizes.length - 1) {
        // Memory after the same number of refreshes at the smallest and the largest table.
        let done = families.ok;
        while (families.ok - done < memoryRefreshes) {
          const remaining = memoryRefreshes - (families.ok - done);
          await load([server], families, Math.max(5, Math.min(60, remaining / Math.max(500, figures.requestsPerSecond))), pgName);
        }
        done = families.ok - done;
        out.memory.push({ families: size, refreshes: done, rssBytes: vmRss(server.pid), peakRssBytes: peakRssBytes(server.pid) });
        log(`  memory after ${done.toLocaleString('en-US')} refreshes: ${Math.round(vmRss(server.pid) / 2 ** 20)} MiB`);
      }
    } finally {
      await server.stop();
    }

    if (index === 1 && expired > 0) {
      // The cleanup job deleting expired families while refreshes run, against the same load without it.
      await insertBulkFamilies(kind, url, 0, expired, 'expired');
      const quiet = await startRefreshd(url);
      let without: LoadFigures;
      try {
        await load([quiet], families, 3, pgName);
        without = await load([quiet], families, seconds, pgName);
      } finally {
        await quiet.stop();
      }
      const before = await countBulk(kind, url, 'expired');
      const busy = await startRefreshd(url, { REFRESHD_GC_INTERVAL_SECONDS: '1' });
      let during: LoadFigures;
      try {
        await load([busy], families, 3, pgName);
        during = await load([busy], families, seconds, pgName);
      } finally {
        await busy.stop();
      }
      const after = await countBulk(kind, url, 'expired');
      out.cleanup = { activeFamilies: size, expiredFamilies: expired, without, during, deletedDuring: before - after, gcBatches: 'REFRESHD_GC_INTERVAL_SECONDS=1 (a sweep of at most ~1 s every 0.75–1.25 s, slices of at most 500 rows sized to ~5 ms a statement)' };
      log(`  cleanup: p99 ${without.p99.toFixed(1)} ms without, ${during.p99.toFixed(1)} ms while deleting (${(before - after).toLocaleString('en-US')} deleted in the window)`);
    }

    if (index === 1 && kind === 'postgres') {
      const a = await startRefreshd(url);
      const b = await startRefreshd(url);
      try {
        await load([a, b], families, 3, pgName);
        const one = await load([a], families, seconds, pgName);
        const two = await load([a, b], families, seconds, pgName);
        out.twoInstances = { families: size, one, two };
        log(`  two instances: ${Math.round(two.requestsPerSecond)}/s (one: ${Math.round(one.requestsPerSecond)}/s); PostgreSQL ${Math.round(two.databaseCpuMicrosPerRefresh)} µs/refresh`);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    }
    successors = families.successors;
  }
  if (database) await database.drop();
  else for (const s of ['', '-wal', '-shm']) rmSync(join(tmp, 'scale.db') + s, { force: true });
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const load0 = loadavg();
  const results: StoreScale[] = [];
  for (const kind of stores) results.push(await scaleStore(kind));
  const out = {
    startedAt: started.toISOString(),
    wallSeconds: (performance.now() - t0) / 1000,
    machine: { cpus: cpus().length, loadAverageAtStart: load0 },
    settings: { sizes, seconds, memoryRefreshes, expired, connections },
    stores: results,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', option('out') ?? 'scale.json'), JSON.stringify(out, null, 2) + '\n');
  log(`wrote bench/results/${option('out') ?? 'scale.json'} in ${Math.round(out.wallSeconds)} s`);
}

main()
  .then(cleanup)
  .catch(async (err: unknown) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  });
