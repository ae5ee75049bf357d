import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, startProcess } from '../helpers/process.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';

/**
 * The README's "First token in five minutes", run as written so the README cannot drift (issue 14). Its shell
 * blocks between the walkthrough markers are joined into one bash script, run from the repository root (where
 * the README's `refreshd` shell function finds dist/src/cli.js) against a server this test starts. Three things
 * are the test's, and said here: the script runs under `set -euo pipefail` (a failing step stops it instead of
 * feeding garbage to the next); the environment carries PORT (a free port instead of 3000, which the README's
 * `${PORT:-3000}` reads) and REFRESHD_DATABASE_URL (a temp SQLite file, or a fresh PostgreSQL database, instead
 * of ./data/refreshd.db), both of which the server reads as well; and a trailer prints the README's variables.
 */
function walkthroughScript(readme: string): string[] {
  const start = readme.indexOf('<!-- walkthrough:start -->');
  const end = readme.indexOf('<!-- walkthrough:end -->');
  assert.ok(start >= 0 && end > start, 'README.md has the walkthrough markers');
  return [...readme.slice(start, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

function bash(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    // Asynchronous, so the server's output pipes keep draining while the script runs.
    const child = spawn('bash', ['-c', script], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (status) => ok({ status, stdout, stderr }));
  });
}

async function refresh(baseUrl: string, clientId: string, clientSecret: string, refreshToken: string) {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const blocks = walkthroughScript(readFileSync(resolve('README.md'), 'utf8'));

for (const kind of STORES) {
  describe(`the README's first-token walkthrough, run as written (${kind})`, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'refreshd-walkthrough-'));
    after(() => rmSync(cwd, { recursive: true, force: true }));

    test('API, backend client and grant by the CLI; token exchange, a rotating refresh, the family through the Management API, reuse revoking it', async () => {
      assert.ok(blocks.length >= 5, `the walkthrough's sh blocks: ${blocks.length}`);
      const db = await createTestDatabase(kind);
      try {
        const port = await freePort();
        const env = { PORT: String(port), REFRESHD_DATABASE_URL: db.url };
        const server = await startProcess(cwd, env, port);
        const trailer = ['RT1', 'RT2', 'CLIENT_ID', 'CLIENT_SECRET'].map((v) => `printf '%s=%s\\n' ${v} "$${v}"`).join('\n');
        const run = await bash(['set -euo pipefail', ...blocks, trailer].join('\n'), env);
        assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
        const vars = Object.fromEntries([...run.stdout.matchAll(/^(RT1|RT2|CLIENT_ID|CLIENT_SECRET)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
        const { RT1 = '', RT2 = '', CLIENT_ID = '', CLIENT_SECRET = '' } = vars;

        // Rotation: the refresh gave a new refresh token, and the README said so.
        assert.match(RT1, /^rfd_rt_[A-Za-z0-9_-]+$/);
        assert.match(RT2, /^rfd_rt_[A-Za-z0-9_-]+$/);
        assert.notEqual(RT2, RT1);
        assert.match(run.stdout, /^rotated: RT2 replaces RT1$/m);
        assert.match(run.stdout, /^client_secret: [A-Za-z0-9_-]{43}$/m, 'the backend\'s secret is printed');

        // The Management API call shows the family (one id across the rotation), then nothing once reuse revoked it.
        const lists = run.stdout.split('\n').filter((l) => l.startsWith('{"tokens":')).map((l) => JSON.parse(l) as { tokens: Record<string, unknown>[] });
        assert.equal(lists.length, 2, run.stdout);
        assert.equal(lists[0]!.tokens.length, 1);
        const family = lists[0]!.tokens[0]!;
        assert.equal(family.user_id, 'user-42');
        assert.equal(family.client_id, CLIENT_ID);
        assert.equal(family.rotating, true);
        assert.deepEqual(family.resource_servers, [{ audience: 'https://api.example.com', scopes: 'openid offline_access read:data' }]);
        assert.notEqual(family.last_exchanged_at, null, 'the refresh is recorded on the family');
        assert.deepEqual(lists[1]!.tokens, []);
        assert.match(run.stdout, /^\{"error":"invalid_grant","error_description":"Unknown or invalid refresh token\."\} 403$/m);

        // Independently of what the script printed: both refresh tokens are refused now (the first was rotated,
        // and its reuse revoked the family, the second with it).
        for (const token of [RT1, RT2]) {
          const r = await refresh(server.baseUrl, CLIENT_ID, CLIENT_SECRET, token);
          assert.deepEqual([r.status, r.body.error], [403, 'invalid_grant']);
        }
        assert.equal(await server.stop(), 0);
      } finally {
        await db.drop();
      }
    });
  });
}
