import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OAUTH_RATE_LIMIT_RULES } from '../../src/http/oauth-plugin.js';
import { RateLimiter } from '../../src/ratelimit/rate-limiter.js';
import { managementAudienceFor } from '../../src/config/env.js';
import { API, fixtureConfig, MGMT_CLIENT, secretOf } from '../helpers/fixtures.js';
import { fixtureDir, SHARED_ISSUER, startInstance } from '../helpers/instances.js';
import type { ServerProcess } from '../helpers/process.js';
import { post, startServer, type HttpResult, type TestServer } from '../helpers/server.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const REDIS_PORT = Number(process.env.REFRESHD_TEST_REDIS_PORT ?? 6379);
const TOO_MANY = 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.';

const m2m = (server: { baseUrl: string }, headers: Record<string, string> = {}) =>
  post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API }, { headers });

const header = (r: HttpResult, name: string) => Number(r.headers.get(name));

function assertLimited(r: HttpResult, windowSeconds = 60) {
  assert.equal(r.status, 429, r.text);
  assert.deepEqual(r.body, { error: 'too_many_requests', error_description: TOO_MANY });
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(header(r, 'x-ratelimit-remaining'), 0);
  const retryAfter = header(r, 'retry-after');
  assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `retry-after ${retryAfter}`);
}

for (const kind of STORES) {
  describe(`rate limits on /oauth/token, in memory (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      const rateLimiter = new RateLimiter({
        rules: [
          { name: OAUTH_RATE_LIMIT_RULES.perIp, points: 8, windowSeconds: 60 },
          { name: OAUTH_RATE_LIMIT_RULES.perClient, points: 5, windowSeconds: 60 },
          { name: OAUTH_RATE_LIMIT_RULES.authFailuresPerIp, points: 3, windowSeconds: 60 },
        ],
      });
      // trustProxy lets the test speak from many IPs through X-Forwarded-For.
      server = await startServer(kind, { app: { rateLimiter, trustProxy: true } });
    });
    after(() => server.close());

    const wrongSecret = (clientId: string, ip: string) =>
      post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong-secret', audience: API }, { headers: { 'x-forwarded-for': ip } });

    // Issue 11 §3.2: the client's bucket was charged before authentication, so wrong secrets naming a client spent
    // its budget and locked the real client out.
    test('per client: wrong secrets naming a client never spend its budget; its authenticated requests do, then 429', async () => {
      for (let i = 0; i < 12; i++) assert.equal((await wrongSecret('m2m', `10.1.0.${i + 1}`)).status, 401);
      const started = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 5; i++) {
        const r = await m2m(server, { 'x-forwarded-for': `10.0.0.${i + 1}` });
        assert.equal(r.status, 200, r.text);
        assert.equal(header(r, 'x-ratelimit-limit'), 5);
        assert.equal(header(r, 'x-ratelimit-remaining'), 4 - i);
        const reset = header(r, 'x-ratelimit-reset');
        assert.ok(reset >= started && reset <= started + 62, `x-ratelimit-reset ${reset} is epoch seconds within the window`);
      }
      assertLimited(await m2m(server, { 'x-forwarded-for': '10.0.0.9' }));
      // Another client from the same address is not affected by m2m's limit.
      const other = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'backend', client_secret: 'wrong' }, { headers: { 'x-forwarded-for': '10.0.0.9' } });
      assert.equal(other.status, 401);
    });

    test('failed authentications count per IP: once spent, that address is refused before its credentials are checked', async () => {
      const ip = { 'x-forwarded-for': '192.0.2.50' };
      for (const clientId of ['backend', 'm2m', 'no-such-client']) assert.equal((await wrongSecret(clientId, '192.0.2.50')).status, 401);
      // Even the right secret: the address has spent its failures, so guessing from it stops here.
      const limited = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend'), refresh_token: 'x' }, { headers: ip });
      assertLimited(limited);
      assert.equal(header(limited, 'x-ratelimit-limit'), 3);
      assertLimited(await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: 'wrong', token: 'x' }, { headers: ip }));
      // Another address authenticates as usual, and the client's own budget was never touched by the failures.
      const elsewhere = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend'), refresh_token: 'x' }, { headers: { 'x-forwarded-for': '192.0.2.51' } });
      assert.equal(elsewhere.status, 403, elsewhere.text);
      assert.equal(header(elsewhere, 'x-ratelimit-remaining'), 4, "backend's first charged request");
    });

    test('an IPv6 address counts by its /64: rotating addresses inside one /64 does not escape the failure limit', async () => {
      for (const ip of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff:ffff:ffff:ffff']) assert.equal((await wrongSecret('backend', ip)).status, 401);
      assertLimited(await wrongSecret('backend', '2001:db8:1:2:1234::1'));
      assertLimited(await wrongSecret('backend', '2001:0db8:0001:0002:0000:0000:0000:0001'));
      // The neighbouring /64 is someone else.
      assert.equal((await wrongSecret('backend', '2001:db8:1:3::a')).status, 401);
      // An IPv4-mapped IPv6 address is that IPv4 address.
      for (let i = 0; i < 3; i++) assert.equal((await wrongSecret('backend', '::ffff:198.51.100.200')).status, 401);
      assertLimited(await wrongSecret('backend', '198.51.100.200'));
    });

    test('per IP: one address is cut off whatever it sends (a public client counts per address only); other addresses are not', async () => {
      const ip = { 'x-forwarded-for': '192.0.2.7' };
      for (let i = 0; i < 8; i++) {
        const r = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: `junk-${i}` }, { headers: ip });
        assert.equal(r.status, 403, r.text);
        assert.equal(header(r, 'x-ratelimit-remaining'), 7 - i);
      }
      const limited = await post(server, '/oauth/revoke', { client_id: 'spa', token: 'x' }, { headers: ip });
      assertLimited(limited);
      assert.equal(header(limited, 'x-ratelimit-limit'), 8);
      const elsewhere = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: 'junk' }, { headers: { 'x-forwarded-for': '192.0.2.8' } });
      assert.equal(elsewhere.status, 403);
    });

    test('malformed requests count against the IP too (refused before the body is read)', async () => {
      const ip = { 'x-forwarded-for': '198.51.100.77' };
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push((await post(server, '/oauth/token', 'not a form', { headers: { ...ip, 'content-type': 'text/xml' } })).status);
      assert.deepEqual(statuses, [...Array(8).fill(400), 429]);
    });
  });
}

describe('rate limits shared through Redis by two instances', () => {
  const prefix = `refreshd-test:${randomBytes(6).toString('hex')}`;
  const managementAudience = managementAudienceFor(SHARED_ISSUER);
  const files = fixtureDir(fixtureConfig(managementAudience));
  const REDIS_WINDOW = 3600;
  const servers: ServerProcess[] = [];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: TcpProxy;
  let a: ServerProcess;
  let b: ServerProcess;

  // One PostgreSQL database for every instance, as in production: a Management token one instance issued is
  // accepted by the others.
  const start = async () => {
    const s = await startInstance({
      ...files,
      databaseUrl: db.url,
      env: {
        REFRESHD_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        REFRESHD_RATE_LIMIT_PREFIX: prefix,
        REFRESHD_RATE_LIMIT_PER_CLIENT: '10',
        REFRESHD_RATE_LIMIT_PER_IP: '1000',
        REFRESHD_RATE_LIMIT_MANAGEMENT_PER_TOKEN: '6',
        // An hour: the suite's counters must not roll over into a new window mid-test on a slow (loaded) box.
        REFRESHD_RATE_LIMIT_WINDOW: String(REDIS_WINDOW),
      },
    });
    servers.push(s);
    return s;
  };

  before(async () => {
    // Redis is reached through a proxy the test can cut; the real server is shared with other tests.
    redis = await TcpProxy.start(REDIS_PORT);
    db = await createTestDatabase('postgres');
    a = await start();
    b = await start();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await redis.close();
    await db.drop();
    files.remove();
  });

  test('the limit is global: 10 per client across both instances, not 10 each', async () => {
    const results: HttpResult[] = [];
    for (let i = 0; i < 16; i++) results.push(await m2m(i % 2 === 0 ? a : b));
    assert.deepEqual(results.map((r) => r.status), [...Array(10).fill(200), ...Array(6).fill(429)]);
    assert.deepEqual(results.map((r) => header(r, 'x-ratelimit-remaining')), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0]);
    for (const r of results.slice(10)) assertLimited(r, REDIS_WINDOW);
    assert.ok((await redis.stats()).connections >= 2, 'both instances used Redis');
  });

  test('the Management API limit per token is global too: 6 across both instances', async () => {
    const issued = await post<{ access_token: string }>(a, '/oauth/token', { grant_type: 'client_credentials', client_id: MGMT_CLIENT, client_secret: secretOf(MGMT_CLIENT), audience: managementAudience });
    assert.equal(issued.status, 200, issued.text);
    const headers = { authorization: `Bearer ${issued.body.access_token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await fetch(`${(i % 2 === 0 ? a : b).baseUrl}/api/v2/users/nobody/sessions`, { headers })).status);
    assert.deepEqual(statuses, [...Array(6).fill(200), 429, 429, 429]);
  });

  test('Redis down: no 5xx, no hang, each instance limits on its own; Redis back: shared again without a restart', async () => {
    await redis.cut();
    const results: HttpResult[] = [];
    for (let i = 0; i < 24; i++) results.push(await m2m(i % 2 === 0 ? a : b));
    // Each instance falls back to its own counter of 10: 20 served, 4 refused, never an error.
    assert.deepEqual(results.map((r) => r.status).sort(), [...Array(20).fill(200), ...Array(4).fill(429)].sort());
    assert.equal(results.filter((r, i) => i % 2 === 0 && r.status === 200).length, 10);
    // A third instance can even start while Redis is away.
    const c = await start();
    assert.equal((await m2m(c)).status, 200);

    await redis.restore();
    // Each instance reconnects by itself (bounded wait): once it does, its requests move the shared counter again.
    for (const s of [a, b, c]) {
      const deadline = Date.now() + 15_000;
      let shared = false;
      while (!shared && Date.now() < deadline) {
        const before = await redisCounter(prefix);
        const r = await m2m(s);
        assert.ok(r.status === 200 || r.status === 429, r.text);
        shared = (await redisCounter(prefix)) === before + 1;
        if (!shared) await new Promise((ok) => setTimeout(ok, 200));
      }
      assert.ok(shared, 'the instance counts in Redis again');
    }
    const count = await redisCounter(prefix);
    assert.ok(count > 16, `the shared counter kept counting (${count})`);
    assertLimited(await m2m(a), REDIS_WINDOW);
  });
});

/** The shared per-client counter of m2m, read straight from Redis. */
async function redisCounter(prefix: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const r = new Redis({ port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await r.connect();
    return Number((await r.get(`${prefix}:${OAUTH_RATE_LIMIT_RULES.perClient}:m2m`)) ?? 0);
  } finally {
    r.disconnect();
  }
}
