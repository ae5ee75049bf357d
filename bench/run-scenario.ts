import { DPOP_CLIENT_ID, publicRefreshBody, REQUEST_HEADERS, refreshBody, TOKEN_ENDPOINT, TOKEN_PATH } from './lib/bench-client.js';
import { DpopProver } from './lib/dpop-prover.js';
import { cpuWindow, databaseBackendPids, peakRssBytes, waitForQuiet, type CpuWindow } from './lib/proc-stats.js';
import { countSyscalls, perRequest, syscallCountingAvailable, type SyscallCounts } from './lib/syscall-count.js';
import { startTarget, type RunningTarget, type TargetContext } from './lib/start-target.js';
import { countRows, type StoreKind } from './lib/storage.js';
import { prepareManagementReads } from './load/management-reads.js';
import { RefreshChains, type ChainSender } from './load/refresh-chains.js';
import { runLoad, type ConnectionSource, type LoadResult } from './load/run-load.js';
import type { ScenarioResult } from './report/results.js';
import type { Scenario } from './scenarios.js';

export interface RunSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Other tenants' CPU below which the machine counts as quiet, and above which a window counts as contended. */
  quietCores: number;
  contendedCores: number;
  /** Measured windows to take at most when they come out contended. */
  maxAttempts: number;
  /** Fresh tokens beyond one per connection, to replace chains that break (which also fails the run). */
  spareTokens: number;
  /** Seconds of the extra window in which system calls are counted (0: none). */
  countSeconds: number;
  /** True once the run as a whole must hurry: no more waiting for quiet or re-measuring. */
  overBudget(): boolean;
  log(message: string): void;
}

/** How a scenario's requests are produced, and what must happen before each load run. */
interface Driver {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  chains: RefreshChains | null;
  /** `seconds`: how long the coming load run lasts. */
  beforeRun(seconds: number): Promise<void>;
  afterRun?(load: LoadResult): void;
  /** DPoP: proofs the load generator had to sign during a run (its pre-signed ones ran out). */
  signedOnTheSpot?(): number;
  source(index: number): ConnectionSource;
}

async function driverFor(s: Scenario, target: RunningTarget, settings: RunSettings): Promise<Driver> {
  if (s.load.kind === 'refresh' && s.load.dpop) return dpopDriver(s.load.alg, target, settings);
  if (s.load.kind === 'refresh') {
    const chains = new RefreshChains();
    const alg = s.load.alg;
    return {
      method: 'POST',
      headers: REQUEST_HEADERS,
      chains,
      // autocannon ends a run by closing its connections, so the requests in flight then are lost and their
      // chains end: every run (warm-up and each measured window) starts fresh chains, issued just before it.
      beforeRun: async () => chains.refill(await target.seed(alg, settings.connections + settings.spareTokens)),
      source: (i) => chains.source(i, refreshBody, TOKEN_PATH),
    };
  }
  const plan = s.load.kind === 'get' ? { headers: {}, paths: s.load.paths } : await prepareManagementReads(target.process.url, s.load.read);
  return {
    method: 'GET',
    headers: { ...plan.headers, 'user-agent': REQUEST_HEADERS['user-agent']! },
    chains: null,
    beforeRun: async () => {},
    source: (i) => {
      let n = i;
      return { next: () => ({ path: plan.paths[n++ % plan.paths.length]! }), done: () => {}, abandon: () => {} };
    },
  };
}

/**
 * The public app's refreshes with DPoP (RFC 9449): one key (the app's, as in one browser), families bound to it at
 * issuance, and every refresh signed with a fresh proof carrying the server's nonce. The nonce is fetched with one
 * challenge before each run and then taken from each answer's DPoP-Nonce, as a client keeps it.
 */
async function dpopDriver(alg: 'ES256' | 'RS256', target: RunningTarget, settings: RunSettings): Promise<Driver> {
  const chains = new RefreshChains();
  const prover = DpopProver.create();
  const jkt = await prover.thumbprint();
  let nonce: string | undefined;
  let lastRate = 0;
  const sender: ChainSender = {
    headers: () => ({ dpop: prover.next(TOKEN_ENDPOINT, 'POST', nonce) }),
    answered: (headers) => {
      const fresh = headers['dpop-nonce'];
      if (typeof fresh === 'string' && fresh) nonce = fresh;
    },
  };
  return {
    method: 'POST',
    headers: REQUEST_HEADERS,
    chains,
    beforeRun: async (seconds) => {
      chains.refill(await target.seed(alg, settings.connections + settings.spareTokens, { clientId: DPOP_CLIENT_ID, jkt }));
      nonce = await challengeNonce(target.process.url, prover);
      // Enough for the run at twice the fastest rate seen so far, and at least 4,000/s; more are signed on the spot.
      const rate = Math.max(lastRate * 2, 4000);
      prover.presign(Math.ceil(rate * seconds) + 500, TOKEN_ENDPOINT, 'POST', nonce);
    },
    afterRun: (load) => {
      lastRate = Math.max(lastRate, load.requestsPerSecond);
    },
    signedOnTheSpot: () => prover.signedOnTheSpot,
    source: (i) => chains.source(i, publicRefreshBody, TOKEN_PATH, sender),
  };
}

/** The server's current nonce: what a proof without one is answered with (400 use_dpop_nonce, one DPoP-Nonce). */
async function challengeNonce(baseUrl: string, prover: DpopProver): Promise<string> {
  const res = await fetch(new URL(TOKEN_PATH, baseUrl), {
    method: 'POST',
    headers: { ...REQUEST_HEADERS, dpop: prover.proof(TOKEN_ENDPOINT, 'POST') },
    body: publicRefreshBody('not-a-token'),
  });
  const nonce = res.headers.get('dpop-nonce');
  const body = (await res.json()) as { error?: string };
  if (res.status !== 400 || body.error !== 'use_dpop_nonce' || !nonce) throw new Error(`no DPoP nonce challenge: ${res.status} ${JSON.stringify(body)}`);
  return nonce;
}

interface Window {
  load: LoadResult;
  cpu: CpuWindow | null;
  rowsAdded: number;
  syscalls?: { server: SyscallCounts; database: SyscallCounts | null };
}

/** The database a target writes to, for row counts (refreshd) and for attributing PostgreSQL CPU (pg targets). */
function databaseOf(s: Scenario, ctx: TargetContext): { store: StoreKind | null; pgName: string | undefined } {
  const store = s.target.kind === 'refreshd' ? s.target.store : null;
  const pg = store === 'postgres' || (s.target.kind === 'rotation-floor' && s.target.store === 'postgres');
  return { store, pgName: pg ? new URL(ctx.databaseUrls.postgres!).pathname.slice(1) : undefined };
}

/** Starts the scenario's server, warms it up, measures it (again if contended), and stops it. */
export async function runScenario(s: Scenario, ctx: TargetContext, settings: RunSettings): Promise<ScenarioResult> {
  const base = { id: s.id, title: s.title, group: s.group, problems: [] as string[] };
  if (s.pending) return { ...base, status: 'pending', note: s.pending };
  const target = await startTarget(s.target, ctx);
  try {
    const driver = await driverFor(s, target, settings);
    const { store, pgName } = databaseOf(s, ctx);
    const rows = () => (store ? countRows(store, ctx.databaseUrls[store]!) : Promise.resolve({} as Record<string, number>));
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    const firstRows = await rows();

    // Rows are counted around each load run only, so the tokens issued for the next run are not counted.
    const window = async (seconds: number, measure: boolean, count = false): Promise<Window> => {
      await driver.beforeRun(seconds);
      // refreshd writes security events in batches every 250 ms: let the issuance events of beforeRun land
      // before counting, so they are not charged to the refreshes.
      if (store) await new Promise((ok) => setTimeout(ok, 600));
      const before = await rows();
      if (measure) await waitForQuiet(settings.quietCores, settings.overBudget() ? 0 : 20_000);
      // System calls are counted in a window of their own: counting costs a little on every call.
      const stopServerCount = count ? await countSyscalls([target.process.pid]) : null;
      const backends = count && pgName ? databaseBackendPids(pgName) : [];
      const stopDbCount = backends.length ? await countSyscalls(backends) : null;
      const closeCpu = measure ? cpuWindow(target.process.pid, pgName, target.helperPids) : null;
      const load = await runLoad({ url: target.process.url, method: driver.method, headers: driver.headers, connections: settings.connections, durationSeconds: seconds, source: (i) => driver.source(i) });
      driver.afterRun?.(load);
      const cpu = closeCpu ? closeCpu() : null;
      const syscalls = stopServerCount ? { server: await stopServerCount(), database: stopDbCount ? await stopDbCount() : null } : undefined;
      return { load, cpu, rowsAdded: total(await rows()) - total(before), ...(syscalls ? { syscalls } : {}) };
    };

    const warm = await window(settings.warmupSeconds, false);
    // On a shared machine another tenant's burst can distort a window: the harness waits for quiet first, and
    // measures again when the window was contended anyway; the least contended window is reported.
    const measured: Window[] = [];
    for (;;) {
      const w = await window(settings.durationSeconds, true);
      measured.push(w);
      if (w.cpu!.otherCores <= settings.contendedCores || measured.length >= settings.maxAttempts || settings.overBudget()) break;
      settings.log(`  contended: other processes used ${w.cpu!.otherCores.toFixed(2)} cores during the window (${Math.round(w.load.requestsPerSecond)}/s); measuring again`);
    }
    const best = measured.reduce((a, b) => (b.cpu!.otherCores < a.cpu!.otherCores ? b : a));
    const counting = settings.countSeconds > 0 && syscallCountingAvailable().ok;
    const counted = counting ? await window(settings.countSeconds, false, true) : null;
    const cpu = best.cpu!;
    const peakRss = peakRssBytes(target.process.pid);
    const lastRows = await rows();

    const problems: string[] = [];
    const onTheSpot = driver.signedOnTheSpot?.() ?? 0;
    if (onTheSpot > 0) settings.log(`  the load generator signed ${onTheSpot} DPoP proofs during load runs (its pre-signed ones ran out)`);
    const windows = [['warm-up', warm] as const, ...measured.map((w, i) => [`measured #${i + 1}`, w] as const), ...(counted ? [['syscall count', counted] as const] : [])];
    for (const [phase, w] of windows) {
      if (w.load.non2xx > 0) problems.push(`${phase}: ${w.load.non2xx} non-2xx answers (${JSON.stringify(w.load.statusCounts)})`);
      if (w.load.errors > 0) problems.push(`${phase}: ${w.load.errors} connection errors or timeouts`);
    }
    const chains = driver.chains;
    if (chains) {
      if (chains.duplicates > 0) problems.push(`${chains.duplicates} refresh tokens presented twice (harness bug)`);
      if (chains.broken > 0) problems.push(`${chains.broken} chains broken: ${JSON.stringify(chains.failures.slice(0, 3))}`);
      if (chains.exhausted > 0) problems.push(`${chains.exhausted} requests found no token left`);
    }
    const refreshes = windows.reduce((n, [, w]) => n + w.load.ok, 0);
    const added = windows.reduce((n, [, w]) => n + w.rowsAdded, 0);
    const m = best.load;
    return {
      ...base,
      status: problems.length ? 'failed' : 'ok',
      requestsPerSecond: m.requestsPerSecond,
      latencyMs: m.latencyMs,
      ok: m.ok,
      non2xx: m.non2xx,
      errors: m.errors,
      statusCounts: m.statusCounts,
      seconds: m.seconds,
      cpu: {
        serverCores: cpu.serverCores,
        serverSystemCores: cpu.serverSystemCores,
        serverMainThreadCores: cpu.serverMainThreadCores,
        loadgenCores: cpu.loadgenCores,
        databaseCores: cpu.databaseCores,
        helperCores: cpu.helperCores,
        otherCores: cpu.otherCores,
      },
      ...(counted?.syscalls && counted.load.ok > 0
        ? {
            syscalls: {
              requests: counted.load.ok,
              server: perRequest(counted.syscalls.server, counted.load.ok),
              ...(counted.syscalls.database ? { database: perRequest(counted.syscalls.database, counted.load.ok) } : {}),
            },
          }
        : {}),
      attempts: measured.length,
      contended: cpu.otherCores > settings.contendedCores,
      peakRssBytes: peakRss,
      ...(chains
        ? { chains: { presented: chains.presentedCount, abandoned: chains.abandoned, broken: chains.broken, duplicates: chains.duplicates, exhausted: chains.exhausted, failures: chains.failures } }
        : {}),
      ...(store ? { rows: { before: firstRows, after: lastRows, refreshes, addedByRefreshes: added, addedPerRefresh: refreshes ? added / refreshes : NaN } } : {}),
      problems,
    };
  } finally {
    await target.process.stop();
  }
}
