import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineRounds, median, pairedRatio } from '../../bench/report/rounds.js';
import type { ScenarioResult } from '../../bench/report/results.js';

function round(rps: number, p99: number, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    id: 's',
    title: 's',
    group: 'refreshd',
    status: 'ok',
    requestsPerSecond: rps,
    latencyMs: { p50: p99 / 2, p90: p99 * 0.8, p99, max: p99 * 2, mean: p99 / 2 },
    cpu: { serverCores: rps / 1000, serverMainThreadCores: rps / 2000, loadgenCores: 0.2, databaseCores: 0, otherCores: 0 },
    rows: { before: { a: 1 }, after: { a: 1 }, refreshes: rps * 6, addedByRefreshes: 0, addedPerRefresh: 0 },
    problems: [],
    ...extra,
  };
}

// A round disturbed by another tenant moves neither the figure nor the ratio: that is what rounds are for.
test('a scenario is the median of its rounds, with the latency and CPU of that round', () => {
  const r = combineRounds([round(2000, 20), round(900, 80), round(2100, 18)]);
  assert.equal(r.requestsPerSecond, 2000);
  assert.equal(r.latencyMs!.p99, 20);
  assert.equal(r.cpu!.serverCores, 2);
  assert.deepEqual(r.rounds!.requestsPerSecond, [2000, 900, 2100]);
  assert.equal(r.rows!.refreshes, (2000 + 900 + 2100) * 6);
  assert.equal(r.status, 'ok');
});

test('a problem in any round fails the scenario and says which round', () => {
  const r = combineRounds([round(2000, 20), round(1900, 20, { status: 'failed', problems: ['3 chains broken'] })]);
  assert.equal(r.status, 'failed');
  assert.deepEqual(r.problems, ['round 2: 3 chains broken']);
});

test('a target ratio is the median of the per-round ratios, not the ratio of medians', () => {
  // Round 2 was slow for both: per-round ratios 0.5, 0.9, 0.55 -> 0.55.
  const s = combineRounds([round(1000, 10), round(900, 10), round(1100, 10)]);
  const f = combineRounds([round(2000, 10), round(1000, 10), round(2000, 10)]);
  const p = pairedRatio(s, f);
  assert.equal(p.ratio, 0.55);
  assert.equal(p.low, 0.5);
  assert.equal(p.high, 0.9);
  assert.equal(p.rounds, 3);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

test('one round is passed through unchanged', () => {
  const only = round(1234, 12);
  assert.equal(combineRounds([only]), only);
  assert.equal(pairedRatio(only, round(2468, 12)).ratio, 0.5);
});
