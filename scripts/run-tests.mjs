#!/usr/bin/env node
// Runs every compiled test file with node:test. Files run in parallel processes; each test file creates its own
// databases, so they do not interfere. Extra arguments are passed to node (e.g. --test-name-pattern=rotation).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filter = process.env.TEST_FILES;
// The longest files start first, so no long file begins when the rest are done and leaves cores idle at the
// end (the hostile-input suites take about 5 minutes per store, most others seconds).
const FIRST = ['fuzz-management-', 'fuzz-oauth-'];
const rank = (f) => {
  const i = FIRST.findIndex((part) => f.includes(part));
  return i === -1 ? FIRST.length : i;
};
const files = find('dist/test')
  .filter((f) => !filter || filter.split(',').some((part) => f.includes(part)))
  .sort()
  .sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '4';
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
