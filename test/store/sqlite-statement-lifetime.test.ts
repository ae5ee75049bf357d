import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

// better-sqlite3 12 aborts the process on Node 24.19+ when the garbage collector finalises one of its statements
// (nodejs/node#65446); refreshd keeps every statement it prepares for that reason (sqlite-statement-cache.ts).
// On Node 20 and 22 this passes either way; on Node 24 (scripts/test-on-node.sh 24, and in .ci/run) it fails
// with SIGABRT as soon as a statement escapes that retention.
test('an SQLite store survives the garbage collector after many distinct statements (Node 24: no abort)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refreshd-gc-'));
  try {
    const child = spawnSync(process.execPath, ['--max-old-space-size=96', resolve('dist/test/helpers/sqlite-churn-main.js'), join(dir, 'gc.db')], {
      encoding: 'utf8',
      // A bound for a hung child only: the churn is ~1.5 GB of allocation, minutes on a loaded 2-core box.
      timeout: 600_000,
    });
    assert.equal(child.signal, null, `the process was killed by ${child.signal}: ${child.stderr.slice(0, 2000)}`);
    assert.equal(child.status, 0, child.stderr.slice(0, 2000));
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.deepEqual(report, { alive: true, families: 64, live: 32, cycles: 49 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
