import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadEnv } from '../../src/config/env.js';
import { ConfigError } from '../../src/core/errors.js';
import { buildMetricsApp } from '../../src/http/metrics-plugin.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnop';

// Issue 11 §3.12: /metrics was open to anyone who could reach the port. It can now require a bearer token, and be
// served on a listener of its own instead of the public port.
for (const kind of STORES) {
  describe(`protecting /metrics (${kind})`, () => {
    let server: TestServer;
    let separate: TestServer;
    before(async () => {
      server = await startServer(kind, { metrics: true, app: { metricsAccess: { token: TOKEN } } });
      separate = await startServer(kind, { metrics: true, app: { metricsAccess: { separate: true, token: TOKEN } } });
    });
    after(async () => {
      await server.close();
      await separate.close();
    });

    test('with a token: 401 with WWW-Authenticate unless the scraper presents it', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN]) {
        const res = await fetch(`${server.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, String(authorization));
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
        assert.ok(!(await res.text()).includes('refreshd_'), 'no metric leaks into the refusal');
      }
      const ok = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /refreshd_http_requests_total/);
    });

    test('on a separate listener: the main port no longer serves /metrics; the other one does, token and all', async () => {
      assert.equal((await fetch(`${separate.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
      await fetch(`${separate.baseUrl}/health/live`);
      const app = await buildMetricsApp(separate.metrics!, { token: TOKEN });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        assert.equal((await fetch(`${url}/metrics`)).status, 401);
        const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(res.status, 200);
        assert.match(await res.text(), /refreshd_http_requests_total\{route="\/health\/live",method="GET",status="200"\} 1/, 'counts the main port');
        assert.equal((await fetch(`${url}/oauth/token`, { method: 'POST' })).status, 404, 'serves nothing else');
      } finally {
        await app.close();
      }
    });
  });
}

test('REFRESHD_METRICS_TOKEN and REFRESHD_METRICS_ADDRESS are validated at boot', () => {
  assert.equal(loadEnv({ REFRESHD_METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
  assert.deepEqual(loadEnv({ REFRESHD_METRICS_ADDRESS: '127.0.0.1:9464' }).metricsAddress, { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(loadEnv({ REFRESHD_METRICS_ADDRESS: '[::1]:9464' }).metricsAddress, { host: '::1', port: 9464 });
  assert.deepEqual(loadEnv({ REFRESHD_METRICS_ADDRESS: 'metrics.internal:9464' }).metricsAddress, { host: 'metrics.internal', port: 9464 });
  assert.equal(loadEnv({}).metricsAddress, null);
  for (const bad of ['9464', '127.0.0.1', '127.0.0.1:99999', 'http://x:1', '1.2.3.4:80/path', 'a b:1']) {
    assert.throws(() => loadEnv({ REFRESHD_METRICS_ADDRESS: bad }), (e: Error) => e instanceof ConfigError && e.message.startsWith('REFRESHD_METRICS_ADDRESS:'), bad);
  }
  assert.throws(() => loadEnv({ REFRESHD_METRICS_TOKEN: 'short' }), (e: Error) => e instanceof ConfigError && e.message.startsWith('REFRESHD_METRICS_TOKEN:'));
});
