import type { ScenarioResult } from './results.js';

/**
 * Rounds: the full run measures every scenario several times, each round going through the whole scenario list in
 * order, so a floor and the refreshd scenarios compared with it are measured close together in every round and
 * slow drift or a burst on a shared box lands in one round's pair, not in the run's result. A scenario's figure is
 * the median of its rounds; a target's ratio is the median of the per-round ratios (each a pair measured minutes
 * apart at most), with the spread reported beside it.
 */

export interface Rounds {
  requestsPerSecond: number[];
  p99Ms: number[];
  serverMicrosPerRequest: number[];
}

export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** (max − min) / median: how far apart a scenario's rounds were. */
export function spread(values: readonly number[]): number {
  return values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / median(values);
}

/**
 * One result from a scenario's rounds: the median throughput, with the latency, CPU and system calls of the round
 * whose throughput is the median (so those figures belong together), row and chain counts summed over all rounds,
 * and every round's problems (a failure in any round fails the scenario).
 */
export function combineRounds(list: readonly ScenarioResult[]): ScenarioResult {
  if (list.length === 1 || list[0]!.status === 'pending') return list[0]!;
  const measured = list.filter((r) => r.requestsPerSecond !== undefined && r.latencyMs);
  const problems = list.flatMap((r, i) => r.problems.map((p) => `round ${i + 1}: ${p}`));
  if (measured.length === 0) return { ...list[0]!, status: 'failed', problems };
  const rep = [...measured].sort((a, b) => a.requestsPerSecond! - b.requestsPerSecond!)[(measured.length - 1) >> 1]!;
  const rounds: Rounds = {
    requestsPerSecond: measured.map((r) => r.requestsPerSecond!),
    p99Ms: measured.map((r) => r.latencyMs!.p99),
    serverMicrosPerRequest: measured.map((r) => (r.cpu ? (r.cpu.serverCores * 1e6) / r.requestsPerSecond! : NaN)),
  };
  const withRows = list.filter((r) => r.rows);
  const rows =
    withRows.length > 0
      ? (() => {
          const refreshes = withRows.reduce((n, r) => n + r.rows!.refreshes, 0);
          const added = withRows.reduce((n, r) => n + r.rows!.addedByRefreshes, 0);
          return { before: withRows[0]!.rows!.before, after: withRows.at(-1)!.rows!.after, refreshes, addedByRefreshes: added, addedPerRefresh: refreshes ? added / refreshes : 0 };
        })()
      : undefined;
  const withChains = list.filter((r) => r.chains);
  const chains =
    withChains.length > 0
      ? {
          presented: withChains.reduce((n, r) => n + r.chains!.presented, 0),
          abandoned: withChains.reduce((n, r) => n + r.chains!.abandoned, 0),
          broken: withChains.reduce((n, r) => n + r.chains!.broken, 0),
          duplicates: withChains.reduce((n, r) => n + r.chains!.duplicates, 0),
          exhausted: withChains.reduce((n, r) => n + r.chains!.exhausted, 0),
          failures: withChains.flatMap((r) => r.chains!.failures).slice(0, 3),
        }
      : undefined;
  const syscalls = list.find((r) => r.syscalls)?.syscalls;
  const rss = list.map((r) => r.peakRssBytes ?? 0);
  return {
    ...rep,
    status: problems.length || list.some((r) => r.status === 'failed') ? 'failed' : 'ok',
    problems,
    requestsPerSecond: median(rounds.requestsPerSecond),
    rounds,
    attempts: list.reduce((n, r) => n + (r.attempts ?? 1), 0),
    contended: list.some((r) => r.contended),
    ...(Math.max(...rss) > 0 ? { peakRssBytes: Math.max(...rss) } : {}),
    ...(syscalls ? { syscalls } : {}),
    ...(rows ? { rows } : {}),
    ...(chains ? { chains } : {}),
  };
}

/**
 * `scenario / reference` from one run: the median of the per-round ratios when both have the same rounds, with
 * their range; otherwise the plain ratio of the two figures.
 */
export function pairedRatio(s: ScenarioResult, r: ScenarioResult): { ratio: number; low: number; high: number; rounds: number } {
  const a = s.rounds?.requestsPerSecond;
  const b = r.rounds?.requestsPerSecond;
  if (a && b && a.length === b.length && a.length > 1) {
    const ratios = a.map((x, i) => x / b[i]!);
    return { ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios), rounds: ratios.length };
  }
  const ratio = s.requestsPerSecond! / r.requestsPerSecond!;
  return { ratio, low: ratio, high: ratio, rounds: 1 };
}
