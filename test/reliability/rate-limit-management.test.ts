import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementClient } from 'auth0';
import { MANAGEMENT_RATE_LIMIT_RULES } from '../../src/http/management-plugin.js';
import { RateLimiter } from '../../src/ratelimit/rate-limiter.js';
import { api, domainOf, envelopeOf, httpFetch, issueToken, managementToken, type IssuedToken } from '../helpers/management.js';
import { startServer, type HttpResult, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

const TOO_MANY = 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.';
const header = (r: HttpResult, name: string) => Number(r.headers.get(name));
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function assertLimited(r: HttpResult) {
  assert.equal(r.status, 429, r.text);
  assert.deepEqual(r.body, envelopeOf(429, 'too_many_requests', TOO_MANY));
  assert.equal(header(r, 'x-ratelimit-remaining'), 0);
  const retryAfter = header(r, 'retry-after');
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
}

/** A token with a JWT's shape and a signature nobody made: each one needs a verification to be refused. */
function forged(i: number): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k' })}.${part({ sub: `forged-${i}`, exp: 4_000_000_000 })}.${Buffer.alloc(256, i).toString('base64url')}`;
}

for (const kind of STORES) {
  describe(`rate limits on the Management API, in memory (${kind})`, () => {
    let server: TestServer;
    let issued: IssuedToken;
    let verifications = 0;
    before(async () => {
      const rateLimiter = new RateLimiter({
        rules: [
          { name: MANAGEMENT_RATE_LIMIT_RULES.perToken, points: 5, windowSeconds: 60 },
          { name: MANAGEMENT_RATE_LIMIT_RULES.perIp, points: 10, windowSeconds: 60 },
        ],
      });
      server = await startServer(kind, { app: { rateLimiter, trustProxy: true } });
      issued = await issueToken(server);
      // Count signature checks: the per-IP limit must refuse before one is spent.
      const keys = server.refreshd.keys;
      const lookup = keys.verificationKey.bind(keys);
      keys.verificationKey = (h) => {
        verifications++;
        return lookup(h);
      };
    });
    after(() => server.close());

    test('per token: Auth0 headers on every answer, then 429 in the envelope with Retry-After; another token is not affected', async () => {
      const token = await managementToken(server);
      const started = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 5; i++) {
        // A different address each time: the token is what is counted.
        const r = await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token, headers: from(`10.1.0.${i + 1}`) });
        assert.equal(r.status, 200, r.text);
        assert.equal(header(r, 'x-ratelimit-limit'), 5);
        assert.equal(header(r, 'x-ratelimit-remaining'), 4 - i);
        const reset = header(r, 'x-ratelimit-reset');
        assert.ok(reset >= started && reset <= started + 62, `x-ratelimit-reset ${reset} is epoch seconds within the window`);
      }
      const limited = await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token, headers: from('10.1.0.9') });
      assertLimited(limited);
      // A refused request is refused before it acts: a DELETE with the spent token leaves the family alone.
      assertLimited(await api(server, 'DELETE', `/refresh-tokens/${issued.id}`, { token, headers: from('10.1.0.9') }));
      assert.equal((await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token: await managementToken(server), headers: from('10.1.0.10') })).status, 200);
    });

    test('per IP: forged tokens are refused with 401 until the limit, then 429 without a signature check; a verified token still works from there', async () => {
      const ip = from('192.0.2.55');
      // Verified (and cached) before the flood, from the same address.
      const token = await managementToken(server);
      assert.equal((await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token, headers: ip })).status, 200);
      const statuses: number[] = [];
      const before = verifications;
      for (let i = 0; i < 12; i++) statuses.push((await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token: forged(i), headers: ip })).status);
      // The verified token's first request counted too: 9 forged ones remain before the limit.
      assert.deepEqual(statuses, [...Array(9).fill(401), 429, 429, 429]);
      assert.equal(verifications - before, 9, 'refused requests cost no signature check');
      assertLimited(await api(server, 'GET', '/refresh-tokens/x', { headers: ip }));
      // The token verified earlier is served from the cache and counted per token only.
      assert.equal((await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token, headers: ip })).status, 200);
      // Another address is not affected.
      assert.equal((await api(server, 'GET', `/refresh-tokens/${issued.id}`, { token: forged(99), headers: from('192.0.2.56') })).status, 401);
    });
  });
}

describe('the official auth0 SDK against the Management API rate limit', () => {
  let server: TestServer;
  before(async () => {
    const rateLimiter = new RateLimiter({ rules: [{ name: MANAGEMENT_RATE_LIMIT_RULES.perToken, points: 2, windowSeconds: 1 }] });
    server = await startServer('sqlite', { realIssuer: true, app: { rateLimiter } });
  });
  after(() => server.close());

  test('reads the 429, waits as the headers say and retries until it succeeds', async () => {
    const issued = await issueToken(server);
    const statuses: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      const res = await httpFetch(input, init);
      statuses.push(res.status);
      return res;
    };
    const sdk = new ManagementClient({ domain: domainOf(server), token: await managementToken(server), fetch: counting, maxRetries: 2, timeoutInSeconds: 10 });
    for (let i = 0; i < 4; i++) {
      const token = await sdk.refreshTokens.get(issued.id);
      assert.equal(token.id, issued.id);
    }
    assert.ok(statuses.includes(429), `the limit was reached (${statuses.join(',')})`);
    assert.equal(statuses.filter((s) => s === 200).length, 4);
  });
});
