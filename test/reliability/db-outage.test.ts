import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { fixtureDir, startInstance } from '../helpers/instances.js';
import type { ServerProcess } from '../helpers/process.js';
import { reportFigures, scaled } from '../helpers/soak.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { issueRefreshToken } from '../helpers/tokens.js';

// Below the client's 30 s leeway: a refresh whose commit landed just as the database vanished answers 503, and
// the client's retry after the outage must still converge on the successor.
const OUTAGE_SECONDS = scaled(3, 20);
/** Connect timeout 2 s + query timeout 6 s (open-store.ts), plus slack: no request may take longer than this. */
const BOUND_MS = 10_000;
const CLIENT = 'backend-leeway';

interface Answer {
  path: string;
  status: number;
  body: Record<string, unknown> | null;
  ms: number;
}

async function call(baseUrl: string, path: string, params?: Record<string, string>): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method: params ? 'POST' : 'GET',
    ...(params ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) } : {}),
    signal: AbortSignal.timeout(BOUND_MS + 5_000),
  });
  const text = await res.text();
  return { path, status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, ms: Date.now() - started };
}

const refreshParams = (token: string) => ({ grant_type: 'refresh_token', client_id: CLIENT, client_secret: secretOf(CLIENT), refresh_token: token });
const issueParams = (user: string) => ({
  grant_type: TOKEN_EXCHANGE_GRANT,
  client_id: CLIENT,
  client_secret: secretOf(CLIENT),
  subject_token: user,
  subject_token_type: USER_ID_TOKEN_TYPE,
  audience: API,
  scope: 'openid offline_access read:data',
});

if (STORES.includes('postgres')) {
  describe('PostgreSQL goes away under load, then comes back', () => {
    // The outage is a TCP proxy between refreshd and the shared PostgreSQL that the test cuts (every connection
    // reset, new ones refused) and restores: no private cluster to initdb, nothing stopped that other tests use.
    let db: TestDatabase;
    let proxy: TcpProxy;
    let server: ServerProcess;
    const files = fixtureDir();

    before(async () => {
      db = await createTestDatabase('postgres');
      proxy = await TcpProxy.start(5432);
      const viaProxy = db.url.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`);
      assert.notEqual(viaProxy, db.url);
      server = await startInstance({ ...files, databaseUrl: viaProxy });
    });
    after(async () => {
      if (server && server.child.exitCode !== null) console.error(`refreshd exited ${server.child.exitCode}:\n${server.stderr()}\n${server.stdout()}`);
      await server?.stop('SIGKILL');
      await proxy?.close();
      await db?.drop();
      files.remove();
    });

    test(`an outage of ${OUTAGE_SECONDS} s: fast 503 temporarily_unavailable, ready=503, no crash; recovery without a restart`, async (t) => {
      const tokens: string[] = [];
      for (let i = 0; i < 8; i++) tokens.push(await issueRefreshToken(server, { clientId: CLIENT, userId: `auth0|outage-${i}` }));
      // Revoked over and over by the load: a real token, so revocation has to reach the database.
      const victim = await issueRefreshToken(server, { clientId: CLIENT, userId: 'auth0|outage-victim' });
      assert.equal((await call(server.baseUrl, '/health/ready')).status, 200);
      const pid = server.child.pid;

      // Load runs before, during and after the cut; each worker refreshes its own chains one request at a time.
      const during: (Answer & { started: number })[] = [];
      let cutAt = Infinity;
      const until = { at: Infinity };
      const load = Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; Date.now() < until.at; i++) {
            const slot = w + 4 * (i % 2);
            const started = Date.now();
            const r = await call(server.baseUrl, '/oauth/token', refreshParams(tokens[slot]!));
            if (r.status === 200) tokens[slot] = r.body!.refresh_token as string;
            during.push({ ...r, started });
            for (const [path, params] of [
              ['/oauth/token', issueParams(`auth0|outage-new-${w}-${i}`)],
              ['/oauth/revoke', { client_id: CLIENT, client_secret: secretOf(CLIENT), token: victim }],
              ['/health/ready', undefined],
              ['/health/live', undefined],
            ] as const) {
              const s2 = Date.now();
              during.push({ ...(await call(server.baseUrl, path, params)), started: s2 });
            }
          }
        }),
      );
      await new Promise((ok) => setTimeout(ok, 300));
      cutAt = Date.now();
      until.at = cutAt + OUTAGE_SECONDS * 1000;
      await proxy.cut();
      const cutDone = Date.now();
      await load;
      assert.ok(during.some((a) => a.started < cutAt && a.status === 200), 'load was running when the database went away');
      for (const a of during) {
        assert.ok(a.ms < BOUND_MS, `${a.path} took ${a.ms} ms`);
        if (a.path === '/health/live') assert.equal(a.status, 200);
        // Requests that started before the cut finished may have been served; every later one must fail fast.
        if (a.started <= cutDone) continue;
        if (a.path === '/health/ready') assert.deepEqual([a.status, a.body], [503, { status: 'unavailable' }]);
        else if (a.path !== '/health/live') {
          assert.equal(a.status, 503, `${a.path}: ${JSON.stringify(a.body)}`);
          assert.equal(a.body?.error, 'temporarily_unavailable');
          assert.deepEqual(Object.keys(a.body ?? {}).sort(), ['error', 'error_description']);
        }
      }
      assert.equal(server.child.exitCode, null, 'the process is still up');

      const restoredAt = Date.now();
      await proxy.restore();
      let ready = await call(server.baseUrl, '/health/ready');
      while (ready.status !== 200 && Date.now() - restoredAt < 15_000) {
        await new Promise((ok) => setTimeout(ok, 100));
        ready = await call(server.baseUrl, '/health/ready');
      }
      assert.equal(ready.status, 200, 'ready again without a restart');
      assert.equal(server.child.pid, pid);
      assert.equal(server.child.exitCode, null);
      // Every client's token still works (a 503 whose commit had landed converges through the leeway).
      for (const token of tokens) {
        const r = await call(server.baseUrl, '/oauth/token', refreshParams(token));
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      assert.equal((await call(server.baseUrl, '/oauth/token', issueParams('auth0|after'))).status, 200);

      const oauth = during.filter((a) => a.path.startsWith('/oauth/') && a.started > cutDone);
      reportFigures(t, 'db-outage-postgres', {
        outageSeconds: OUTAGE_SECONDS,
        requestsDuringOutage: during.length,
        oauth503: oauth.length,
        maxLatencyMs: Math.max(...during.map((a) => a.ms)),
        recoveryMs: Date.now() - restoredAt,
        crashes: 0,
        restarts: 0,
      });
    });
  });
}
