import type { StorageFigures, StoreKind } from '../lib/storage.js';
import type { SyscallCounts } from '../lib/syscall-count.js';
import type { Scenario } from '../scenarios.js';
import { TARGETS, type TargetSpec } from '../targets.js';
import { median, pairedRatio, type Rounds } from './rounds.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  sqlite: string;
  autocannon: string;
  oidcProvider: string;
  loadAverageAtStart: number[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  group: Scenario['group'];
  status: 'ok' | 'failed' | 'pending' | 'skipped';
  note?: string;
  requestsPerSecond?: number;
  latencyMs?: { p50: number; p90: number; p99: number; max: number; mean: number };
  ok?: number;
  non2xx?: number;
  errors?: number;
  statusCounts?: Record<string, number>;
  seconds?: number;
  cpu?: { serverCores: number; serverSystemCores?: number; serverMainThreadCores: number; loadgenCores: number; databaseCores: number; helperCores?: number; otherCores: number };
  /** System calls and context switches per request, counted in a window of their own (perf stat). */
  syscalls?: { requests: number; server: SyscallCounts; database?: SyscallCounts };
  /** Measured windows taken (more than one when a window was contended by other tenants). */
  attempts?: number;
  /** The reported window still had other tenants above the contention threshold. */
  contended?: boolean;
  peakRssBytes?: number;
  chains?: { presented: number; abandoned: number; broken: number; duplicates: number; exhausted: number; failures: { status: number; body: string }[] };
  /** Row counts of every table at the start and end, and rows added during the refresh runs themselves. */
  rows?: { before: Record<string, number>; after: Record<string, number>; refreshes: number; addedByRefreshes: number; addedPerRefresh: number };
  /** Each round's figures, when the run measured the scenario more than once (rounds.ts). */
  rounds?: Rounds;
  problems: string[];
}

export interface TargetResult {
  id: string;
  label: string;
  informational: boolean;
  status: 'met' | 'missed' | 'pending' | 'failed';
  /** The measured figure in words, e.g. "4,410/s = 0.71 × 6,210/s". */
  measured: string;
  ratio?: number;
  value?: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  mode: 'full' | 'quick' | 'profile' | 'compare';
  machine: Machine;
  settings: { connections: number; warmupSeconds: number; durationSeconds: number; families: number; claimsBytes?: number; logLevel: string; quietCores: number; contendedCores: number; countSeconds?: number; rounds?: number };
  /** Families without application data (the 1 KiB target). */
  storage: Partial<Record<StoreKind, StorageFigures>>;
  /** The same families with `settings.claimsBytes` of custom claims each, measured on a database of their own. */
  storageWithClaims?: Partial<Record<StoreKind, StorageFigures>>;
  scenarios: ScenarioResult[];
  targets: TargetResult[];
  problems: string[];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Evaluates every target against this run's scenario and storage figures. */
export function evaluateTargets(scenarios: ScenarioResult[], storage: BenchResults['storage'], storageWithClaims: BenchResults['storage'] = {}): TargetResult[] {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  return TARGETS.map((t: TargetSpec): TargetResult => {
    const base = { id: t.id, label: t.label, informational: t.informational ?? false };
    const c = t.check;
    switch (c.kind) {
      case 'throughput-ratio': {
        const s = byId.get(c.scenario);
        const r = byId.get(c.reference);
        if (s?.status === 'pending' || r?.status === 'pending') return { ...base, status: 'pending', measured: s?.note ?? r?.note ?? 'pending' };
        if (!s?.requestsPerSecond || !r?.requestsPerSecond || s.status !== 'ok' || r.status !== 'ok') {
          return { ...base, status: 'failed', measured: `not measured (${s?.status ?? 'not run'} / ${r?.status ?? 'not run'})` };
        }
        const { ratio, low, high, rounds } = pairedRatio(s, r);
        const spreadNote = rounds > 1 ? `; median of ${rounds} rounds' ratios, ${low.toFixed(2)}–${high.toFixed(2)}` : '';
        return {
          ...base,
          status: ratio >= c.factor ? 'met' : 'missed',
          ratio,
          measured: `${fmt(s.requestsPerSecond)}/s = ${ratio.toFixed(2)} × ${fmt(r.requestsPerSecond)}/s (needs ${c.factor} ×${spreadNote})`,
        };
      }
      case 'p99-max': {
        const s = byId.get(c.scenario);
        if (!s?.latencyMs || s.status !== 'ok') return { ...base, status: 'failed', measured: 'not measured' };
        const p99 = s.rounds && s.rounds.p99Ms.length > 1 ? median(s.rounds.p99Ms) : s.latencyMs.p99;
        const range = s.rounds && s.rounds.p99Ms.length > 1 ? `; median of ${s.rounds.p99Ms.length} rounds, ${Math.min(...s.rounds.p99Ms).toFixed(1)}–${Math.max(...s.rounds.p99Ms).toFixed(1)} ms` : '';
        return { ...base, status: p99 <= c.limitMs ? 'met' : 'missed', value: p99, measured: `p99 ${p99.toFixed(1)} ms (limit ${c.limitMs} ms${range})` };
      }
      case 'storage-max': {
        const f = (c.withClaims ? storageWithClaims : storage)[c.store];
        if (!f) return { ...base, status: 'failed', measured: 'not measured' };
        return {
          ...base,
          status: f.bytesPerFamily <= c.limitBytes ? 'met' : 'missed',
          value: f.bytesPerFamily,
          measured: `${fmt(f.bytesPerFamily)} B per family (${fmt(f.totalBytes)} B / ${fmt(f.families)} families; limit ${fmt(c.limitBytes)} B)`,
        };
      }
      case 'rows-per-refresh': {
        const measured = c.scenarios.map((id) => byId.get(id)).filter((s): s is ScenarioResult => s?.rows !== undefined);
        if (measured.length === 0) return { ...base, status: 'failed', measured: 'not measured' };
        const worst = Math.max(...measured.map((s) => s.rows!.addedPerRefresh));
        const total = measured.reduce((n, s) => n + s.rows!.refreshes, 0);
        return { ...base, status: worst === 0 ? 'met' : 'missed', value: worst, measured: `${worst} rows per refresh (all tables; ${fmt(total)} refreshes over ${measured.length} scenarios)` };
      }
    }
  });
}
