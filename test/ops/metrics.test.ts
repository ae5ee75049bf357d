import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../helpers/fixtures.js';
import { sample } from '../helpers/prometheus.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { issueRefreshToken, refresh } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`Prometheus metrics (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { metrics: true });
    });
    after(() => server.close());

    const scrape = async () => (await fetch(`${server.baseUrl}/metrics`)).text();
    const outcome = async (o: string) => sample(await scrape(), 'refreshd_refreshes_total', { outcome: o }) ?? NaN;

    test('each refresh outcome increments its own counter', async () => {
      const steps: [string, () => Promise<unknown>][] = [];
      const t0 = await issueRefreshToken(server);
      const l0 = await issueRefreshToken(server, { clientId: 'backend-leeway' });
      const s0 = await issueRefreshToken(server, { clientId: 'backend-static' });
      const e0 = await issueRefreshToken(server);
      const r0 = await issueRefreshToken(server);
      let t1 = '';
      steps.push(['rotated', async () => (t1 = (await refresh(server, t0)).body.refresh_token!)]);
      steps.push(['exchanged', () => refresh(server, s0, { clientId: 'backend-static' })]);
      steps.push(['leeway_replay', async () => {
        await refresh(server, l0, { clientId: 'backend-leeway' });
        return refresh(server, l0, { clientId: 'backend-leeway' });
      }]);
      steps.push(['reuse_detected', () => refresh(server, t0)]);
      steps.push(['revoked', () => refresh(server, t1)]);
      steps.push(['unknown', async () => {
        // A revoked family that cleanup has since deleted: its token is now simply unknown.
        await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend'), token: r0 });
        const now = server.clock.now();
        await server.store.gcFamilies({ afterId: null, scanLimit: 100_000, now, deadBefore: now + 1 });
        return refresh(server, r0);
      }]);
      steps.push(['malformed', () => refresh(server, 'rfd_rt_not-a-token')]);
      steps.push(['expired', async () => {
        server.clock.advanceSeconds(7200);
        return refresh(server, e0);
      }]);
      for (const [name, run] of steps) {
        const before = await outcome(name);
        await run();
        assert.equal((await outcome(name)) - before, 1, name);
      }
      assert.equal(await outcome('rotated'), 2, 'one plain rotation plus the rotation before the leeway replay');
    });

    test('requests are counted by route template and status, with latency histograms', async () => {
      await post(server, '/oauth/token', { grant_type: 'nope' });
      const text = await scrape();
      assert.ok((sample(text, 'refreshd_http_requests_total', { route: '/oauth/token', method: 'POST', status: '400' }) ?? 0) >= 1);
      assert.ok((sample(text, 'refreshd_http_request_duration_seconds_count', { route: '/oauth/token', method: 'POST', status: '200' }) ?? 0) >= 1);
      assert.ok((sample(text, 'refreshd_store_query_duration_seconds_count', { operation: 'exchangeFamily', result: 'ok' }) ?? 0) >= 1);
      assert.equal(sample(text, 'refreshd_security_events_total', { type: 'ferrt' }), 1);
    });

    test('active families are counted', async () => {
      const before = sample(await scrape(), 'refreshd_families_active')!;
      await issueRefreshToken(server);
      await issueRefreshToken(server);
      assert.equal(sample(await scrape(), 'refreshd_families_active'), before + 2);
    });
  });
}
