import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../helpers/fixtures.js';
import { fixtureDir, startInstance } from '../helpers/instances.js';
import type { ServerProcess } from '../helpers/process.js';
import { reportFigures } from '../helpers/soak.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { issueRefreshToken } from '../helpers/tokens.js';

/**
 * A refresh whose body arrives slowly (a phone on a bad network): the headers and half the body now, the rest
 * when the test says. Resolves with the status and body, or rejects if the connection is reset.
 */
function slowRefresh(port: number, token: string, clientId: string) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: secretOf(clientId), refresh_token: token }).toString();
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  const response = new Promise<{ status: number; body: Record<string, unknown>; connection: string | undefined }>((ok, fail) => {
    const req = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, connection: res.headers.connection }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { response, finish: () => finish() };
}

const refused = async (baseUrl: string) => {
  try {
    await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
};

for (const kind of STORES) {
  describe(`SIGTERM with requests in flight (${kind})`, () => {
    let db: TestDatabase;
    let server: ServerProcess & { port: number };
    const files = fixtureDir();
    before(async () => {
      db = await createTestDatabase(kind);
      server = await startInstance({ ...files, databaseUrl: db.url, env: { LOG_LEVEL: 'info' } });
    });
    after(async () => {
      await server?.stop('SIGKILL');
      await db?.drop();
      files.remove();
    });

    test('stops accepting, finishes every in-flight request with 200, closes the store, exits 0', async (t) => {
      const IN_FLIGHT = 10;
      const tokens = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => issueRefreshToken(server, { clientId: 'backend-leeway', userId: `auth0|shutdown-${i}` })));
      const slow = tokens.map((tk) => slowRefresh(server.port, tk, 'backend-leeway'));
      await new Promise((ok) => setTimeout(ok, 300)); // the half bodies have reached the server
      const exit = server.stop('SIGTERM');
      await new Promise((ok) => setTimeout(ok, 500));
      assert.equal(server.child.exitCode, null, 'still running while requests are in flight');
      assert.ok(await refused(server.baseUrl), 'new connections are refused once SIGTERM arrived');
      for (const s of slow) s.finish();
      const answers = await Promise.all(slow.map((s) => s.response));
      assert.deepEqual(answers.map((a) => a.status), Array(IN_FLIGHT).fill(200));
      for (const a of answers) assert.match(String(a.body.refresh_token), /^rfd_rt_/);
      // Keep-alive connections are released with the answer, so no idle socket holds the process.
      assert.deepEqual(answers.map((a) => a.connection), Array(IN_FLIGHT).fill('close'));
      assert.equal(await exit, 0);
      assert.match(server.stdout(), /"msg":"refreshd stopped"/, 'the store was closed after the last request');

      // The rotations those answers carried were committed: the successors work after a restart.
      server = await startInstance({ ...files, databaseUrl: db.url });
      for (const a of answers) {
        const r = await fetch(`${server.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'backend-leeway', client_secret: secretOf('backend-leeway'), refresh_token: String(a.body.refresh_token) }),
        });
        assert.equal(r.status, 200);
      }
      reportFigures(t, `shutdown-${kind}`, { inFlightAtSigterm: IN_FLIGHT, completed200: IN_FLIGHT, resets: 0, exitCode: 0 });
    });
  });
}
