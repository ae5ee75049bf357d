#!/usr/bin/env node
/**
 * `npm run bench`: refreshd against floors and a peer, on SQLite and PostgreSQL, in one bounded run.
 * Writes BENCHMARKS.md and bench/results/latest.json (full mode), or bench/results/quick.json (--quick).
 * Exits non-zero if any scenario failed (non-2xx, connection errors, broken chains); missed targets are reported,
 * not hidden, and do not fail the run.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refreshdConfig } from './lib/bench-client.js';
import { killAllChildren } from './lib/children.js';
import { createBenchDatabase, dropAllCreated, dropStaleDatabases, postgresVersion } from './lib/pg-database.js';
import type { TargetContext } from './lib/start-target.js';
import { measureStorage, populateFamilies, sqliteVersion, type StorageFigures, type StoreKind } from './lib/storage.js';
import { summarizeProfile } from './profile/summarize.js';
import { renderMarkdown, type ScaleResults } from './report/markdown.js';
import { evaluateTargets, type BenchResults, type Machine, type ScenarioResult } from './report/results.js';
import { combineRounds, spread } from './report/rounds.js';
import { runScenario } from './run-scenario.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const experimentsDir = join(resultsDir, 'experiments');

// ---- options ---------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** --before-cli=<dist/src/cli.js of an older build>: run each refreshd scenario on both builds, interleaved. */
const beforeCli = option('before-cli');
/** --before-config=<file>: the configuration file the older build reads (one it can parse), instead of the harness's. */
const beforeConfig = option('before-config');
/**
 * --variant=<name>:<VAR>=<value>,… (repeatable): also run each refreshd scenario with these environment
 * variables, right before the scenario itself (same run, same database), as `<id>@<name>`.
 */
const variants: Variant[] = [
  ...(beforeCli ? [{ name: 'before', cli: beforeCli, env: beforeConfig ? { REFRESHD_CONFIG: beforeConfig } : {} }] : []),
  ...argv.filter((a) => a.startsWith('--variant=')).map((a) => parseVariant(a.slice('--variant='.length))),
];
const mode: BenchResults['mode'] = flag('profile') ? 'profile' : variants.length ? 'compare' : flag('quick') ? 'quick' : 'full';
const only = option('only')?.split(',');
/** Other tenants' CPU below which the machine counts as quiet, and above which a window counts as contended. */
const QUIET_CORES = 0.15;
const CONTENDED_CORES = 0.25;
/**
 * --rounds=<n>: measure every scenario n times, going through the whole list once per round (report/rounds.ts):
 * figures are medians of the rounds and ratios the medians of per-round ratios. Full runs take 3.
 */
const rounds = mode === 'profile' ? 1 : Math.max(1, Number(option('rounds') ?? (mode === 'full' ? 3 : 1)));
const settings = {
  connections: 32,
  warmupSeconds: mode === 'quick' ? 1 : 3,
  durationSeconds: Number(option('duration') ?? (mode === 'quick' ? 3 : rounds > 1 ? 6 : 10)),
  rounds,
  families: mode === 'quick' ? 10_000 : 100_000,
  /** Bytes of custom claims in each bulk-loaded family (--claims-bytes=0 for none): what applications store. */
  claimsBytes: Number(option('claims-bytes') ?? 300),
  logLevel: option('log-level') ?? 'info',
  // System calls are counted in an extra window after the measured one (perf stat; 0 turns it off).
  countSeconds: Number(option('count-seconds') ?? (mode === 'quick' ? 1 : 3)),
  quietCores: QUIET_CORES,
  contendedCores: CONTENDED_CORES,
};
const MAX_ATTEMPTS = 2;
/** Tokens beyond one per connection, to replace chains that break (which also fails the run). */
const SPARE_TOKENS = 8;
/** Past this, no more waiting for quiet or re-measuring: the run must end within about 20 minutes. */
const BUDGET_MS = (rounds > 1 ? 16 : 10) * 60_000;
const runStart = performance.now();
const overBudget = () => performance.now() - runStart > BUDGET_MS;

/** --cli=<dist/src/cli.js>: run (or profile) another build of refreshd in every refreshd scenario. */
const cli = option('cli');
const chosen = SCENARIOS.filter((s) => (mode === 'profile' ? s.group === 'refreshd' || s.group === 'management' : true)).filter(
  (s) => !only || only.some((o) => s.id === o || s.group === o || s.id.startsWith(o)),
);
const selected = variants.length
  ? chosen
      .filter((s) => !s.pending && (s.group === 'refreshd' || s.group === 'floor' || (!beforeCli && s.group === 'management')))
      .flatMap((s): Scenario[] => {
        const t = s.target;
        if (t.kind !== 'refreshd') return [s];
        const copies = variants.map((v): Scenario => ({
          ...s,
          id: `${s.id}@${v.name}`,
          title: `${s.title} (${v.name})`,
          target: { ...t, ...(v.cli ? { cli: v.cli } : {}), env: { ...t.env, ...v.env } },
        }));
        return [...copies, { ...s, ...(cli ? { target: { ...t, cli } } : {}) }];
      })
  : cli
    ? chosen.map((s): Scenario => (s.target.kind === 'refreshd' ? { ...s, target: { ...s.target, cli } } : s))
    : chosen;

// ---- cleanup: no process or database left behind, whatever happens ------------------------------------------

interface Variant {
  name: string;
  cli?: string;
  env: Record<string, string>;
}

function parseVariant(text: string): Variant {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`--variant: bad name "${name}" (lower case, digits, dashes)`);
  const env: Record<string, string> = {};
  for (const pair of colon < 0 ? [] : text.slice(colon + 1).split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--variant=${text}: expected VAR=value pairs`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name, env };
}

const tmp = mkdtempSync(join(tmpdir(), 'refreshd-bench-'));
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  killAllChildren();
  await dropAllCreated();
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', () => {
  killAllChildren();
  rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers and dropping benchmark databases…`);
    void cleanup().finally(() => process.exit(130));
  });
}

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---- the run ---------------------------------------------------------------------------------------------

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    // oidc-provider's exports map hides package.json; read it from node_modules directly.
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  }
}

async function machine(): Promise<Machine> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    postgres: await postgresVersion().catch(() => 'unavailable'),
    sqlite: sqliteVersion(),
    autocannon: packageVersion('autocannon'),
    oidcProvider: packageVersion('oidc-provider'),
    loadAverageAtStart: loadavg(),
  };
}

/** BENCHMARKS.md from a full run's results, the hand-written findings and the before/after run, if any. */
function writeReport(results: BenchResults): void {
  const findingsPath = join(root, 'bench', 'FINDINGS.md');
  const comparePath = join(resultsDir, 'before-after.json');
  const md = renderMarkdown(results, {
    findings: existsSync(findingsPath) ? readFileSync(findingsPath, 'utf8') : '',
    beforeAfter: existsSync(comparePath) ? (JSON.parse(readFileSync(comparePath, 'utf8')) as BenchResults) : undefined,
    scale: existsSync(join(resultsDir, 'scale.json')) ? (JSON.parse(readFileSync(join(resultsDir, 'scale.json'), 'utf8')) as ScaleResults) : undefined,
    experiments: existsSync(experimentsDir)
      ? readdirSync(experimentsDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => ({ name: f.replace(/\.json$/, ''), results: JSON.parse(readFileSync(join(experimentsDir, f), 'utf8')) as BenchResults }))
      : [],
  });
  writeFileSync(join(root, 'BENCHMARKS.md'), md);
}

async function main(): Promise<number> {
  // --render: rewrite BENCHMARKS.md from bench/results/latest.json (after editing FINDINGS.md), measuring nothing.
  if (flag('render')) {
    writeReport(JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8')) as BenchResults);
    log('wrote BENCHMARKS.md from bench/results/latest.json');
    return 0;
  }
  const started = new Date();
  const t0 = performance.now();
  const dropped = await dropStaleDatabases();
  if (dropped.length) log(`dropped ${dropped.length} database(s) left by an earlier run: ${dropped.join(', ')}`);
  const m = await machine();
  log(`${m.cpus} cores, Node ${m.node}, PostgreSQL ${m.postgres}, SQLite ${m.sqlite}; load average ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);

  const configPath = join(tmp, 'refreshd.json');
  writeFileSync(configPath, JSON.stringify(refreshdConfig(), null, 2));
  const profileDir = option('profile-dir') ?? join(resultsDir, 'profiles');
  const ctx: TargetContext = {
    databaseUrls: {},
    configPath,
    logLevel: settings.logLevel,
    // --node-options="--perf-basic-prof …" passes options to refreshd's node (e.g. to attach perf from outside).
    refreshdNodeOptions: option('node-options')?.split(' ').filter(Boolean) ?? [],
  };

  // Storage first: the refresh scenarios then run over tables that already hold the bulk-loaded families.
  const storage: Partial<Record<StoreKind, StorageFigures>> = {};
  const storageWithClaims: Partial<Record<StoreKind, StorageFigures>> = {};
  const storeOf = (s: Scenario): StoreKind | null => (s.target.kind === 'refreshd' || s.target.kind === 'rotation-floor' ? s.target.store : null);
  const stores = new Set(selected.filter((s) => !s.pending).map(storeOf).filter((k): k is StoreKind => k !== null));
  for (const kind of stores) {
    const url = kind === 'sqlite' ? `sqlite:${join(tmp, 'refreshd.db')}` : (await createBenchDatabase()).url;
    ctx.databaseUrls[kind] = url;
    const t = performance.now();
    await populateFamilies(url, settings.families, 0);
    storage[kind] = await measureStorage(kind, url);
    log(`${kind}: ${settings.families.toLocaleString('en-US')} families in ${((performance.now() - t) / 1000).toFixed(1)} s, ${Math.round(storage[kind]!.bytesPerFamily)} B per family`);
    if (settings.claimsBytes > 0) {
      // The same families with application claims, on a database of their own (dropped after measuring).
      const scratch = kind === 'sqlite' ? null : await createBenchDatabase();
      const scratchUrl = scratch ? scratch.url : `sqlite:${join(tmp, 'claims.db')}`;
      await populateFamilies(scratchUrl, settings.families, settings.claimsBytes);
      storageWithClaims[kind] = await measureStorage(kind, scratchUrl);
      if (scratch) await scratch.drop();
      else for (const suffix of ['', '-wal', '-shm']) rmSync(join(tmp, 'claims.db') + suffix, { force: true });
      log(`${kind}: with ${settings.claimsBytes} B of claims each, ${Math.round(storageWithClaims[kind]!.bytesPerFamily)} B per family`);
    }
  }

  const perScenario = new Map<string, ScenarioResult[]>(selected.map((s) => [s.id, []]));
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`round ${round} of ${rounds}`);
    for (const s of selected) {
      if (s.pending && round > 1) continue;
      if (mode === 'profile') {
        mkdirSync(profileDir, { recursive: true });
        ctx.refreshdNodeOptions = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${s.id}.cpuprofile`];
      }
      log(`${s.id}: ${s.pending ? 'pending' : 'running'}`);
      let r: ScenarioResult;
      // System calls are counted once, in the last round.
      const countSeconds = round === rounds ? settings.countSeconds : 0;
      try {
        r = await runScenario(s, ctx, { ...settings, countSeconds, maxAttempts: MAX_ATTEMPTS, spareTokens: SPARE_TOKENS, overBudget, log });
      } catch (err) {
        r = { id: s.id, title: s.title, group: s.group, status: 'failed', problems: [err instanceof Error ? err.message : String(err)] };
      }
      perScenario.get(s.id)!.push(r);
      if (r.status !== 'pending') {
        log(
          `  ${r.status}: ${Math.round(r.requestsPerSecond ?? 0)}/s, p50 ${r.latencyMs?.p50.toFixed(2)} ms, p99 ${r.latencyMs?.p99.toFixed(2)} ms, server ${r.cpu?.serverCores.toFixed(2)} cores, other ${r.cpu?.otherCores.toFixed(2)}${r.problems.length ? `\n  PROBLEMS: ${r.problems.join('; ')}` : ''}`,
        );
      }
      if (mode === 'profile' && r.status !== 'pending') {
        const summary = summarizeProfile(profileDir, s.id);
        if (summary) log(`profile of ${s.id}:\n${summary}`);
      }
    }
  }
  const results = selected.map((s) => combineRounds(perScenario.get(s.id)!));
  if (rounds > 1) {
    for (const r of results.filter((x) => x.rounds)) {
      log(`${r.id}: median ${Math.round(r.requestsPerSecond!)}/s over ${r.rounds!.requestsPerSecond.length} rounds (${r.rounds!.requestsPerSecond.map(Math.round).join(', ')}; spread ${(spread(r.rounds!.requestsPerSecond) * 100).toFixed(0)} %)`);
    }
  }

  const problems = results.flatMap((r) => r.problems.map((p) => `\`${r.id}\`: ${p}`));
  const out: BenchResults = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: (performance.now() - t0) / 1000,
    mode,
    machine: m,
    settings,
    storage,
    storageWithClaims,
    scenarios: results,
    targets: evaluateTargets(results, storage, storageWithClaims),
    problems,
  };
  mkdirSync(resultsDir, { recursive: true });
  const jsonName =
    option('out') ?? (beforeCli ? 'before-after.json' : mode === 'compare' ? 'compare.json' : mode === 'full' && !only ? 'latest.json' : `${mode}${only ? '-partial' : ''}.json`);
  mkdirSync(dirname(join(resultsDir, jsonName)), { recursive: true });
  writeFileSync(join(resultsDir, jsonName), JSON.stringify(out, null, 2) + '\n');
  if (mode === 'full' && !only) writeReport(out);

  log(`targets:`);
  for (const t of out.targets) log(`  ${t.status.padEnd(7)} ${t.informational ? '(info) ' : ''}${t.label}: ${t.measured}`);
  log(`wrote bench/results/${jsonName}${mode === 'full' && !only ? ' and BENCHMARKS.md' : ''} in ${Math.round(out.wallSeconds)} s`);
  if (problems.length) {
    console.error(`\nBENCHMARK FAILED: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  return 0;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  });
