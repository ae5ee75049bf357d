import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { issueRefreshToken } from '../helpers/tokens.js';

// The fixture's public client 'spa' lists https://app.example.com and http://localhost:5173 as web origins;
// no other client lists any.
const APP = 'https://app.example.com';

function call(server: TestServer, path: string, init: { method?: string; origin?: string; body?: Record<string, string>; headers?: Record<string, string> }) {
  return fetch(`${server.baseUrl}${path}`, {
    method: init.method ?? 'POST',
    headers: {
      ...(init.origin ? { origin: init.origin } : {}),
      ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    },
    ...(init.body ? { body: new URLSearchParams(init.body).toString() } : {}),
  });
}

for (const kind of STORES) {
  describe(`CORS for browser apps on the OAuth endpoints, from web_origins (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a preflight from a listed origin is allowed for POST with a form or JSON body', async () => {
      for (const path of ['/oauth/token', '/oauth/revoke']) {
        const r = await call(server, path, { method: 'OPTIONS', origin: APP, headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
        assert.equal(r.status, 204);
        assert.equal(r.headers.get('access-control-allow-origin'), APP);
        assert.equal(r.headers.get('access-control-allow-methods'), 'POST');
        assert.match(r.headers.get('access-control-allow-headers') ?? '', /content-type/);
        assert.match(r.headers.get('vary') ?? '', /Origin/);
        assert.equal(r.headers.get('access-control-allow-credentials'), null);
      }
    });

    test('a preflight from an origin no client lists gets no CORS headers', async () => {
      const r = await call(server, '/oauth/token', { method: 'OPTIONS', origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    });

    test('the app refreshes from its origin and can read the answer; a rotated-out token\'s 403 is readable too', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const ok = await call(server, '/oauth/token', { origin: APP, body: { grant_type: 'refresh_token', client_id: 'spa', refresh_token: t0 } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), APP);
      assert.match(ok.headers.get('access-control-expose-headers') ?? '', /x-ratelimit-remaining/);
      const reused = await call(server, '/oauth/token', { origin: APP, body: { grant_type: 'refresh_token', client_id: 'spa', refresh_token: t0 } });
      assert.equal(reused.status, 403);
      assert.equal(reused.headers.get('access-control-allow-origin'), APP, 'the app must be able to read invalid_grant');
      assert.equal(((await reused.json()) as { error: string }).error, 'invalid_grant');
    });

    test('another origin, or another client, gets no CORS headers (the browser keeps the answer from the page)', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const foreign = await call(server, '/oauth/token', { origin: 'https://evil.example', body: { grant_type: 'refresh_token', client_id: 'spa', refresh_token: t0 } });
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      assert.match(foreign.headers.get('vary') ?? '', /Origin/);
      // 'backend' lists no web origin: the spa's origin does not extend to it.
      const other = await call(server, '/oauth/token', { origin: APP, body: { grant_type: 'client_credentials', client_id: 'backend', client_secret: 'x'.repeat(40), audience: 'x' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      const none = await call(server, '/oauth/revoke', { body: { client_id: 'spa', token: t0 } });
      assert.equal(none.status, 200);
      assert.equal(none.headers.get('access-control-allow-origin'), null, 'no Origin, no CORS headers');
    });

    test('revocation from the app\'s origin is readable', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const r = await call(server, '/oauth/revoke', { origin: 'http://localhost:5173', body: { client_id: 'spa', token: t0 } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    });
  });
}
