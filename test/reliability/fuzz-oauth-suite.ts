import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { OAUTH_RATE_LIMIT_RULES } from '../../src/http/oauth-plugin.js';
import { RateLimiter } from '../../src/ratelimit/rate-limiter.js';
import type { StoreDialect } from '../../src/ports/store.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { fuzzEndpoint, hostileRequest, overHttp, type HostileCase, type HostileSpec } from '../helpers/fuzz.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { reportFigures, scaled } from '../helpers/soak.js';
import { issueRefreshToken, refresh } from '../helpers/tokens.js';

const CASES = scaled(10_000, 200_000);
const HTTP_SAMPLE = scaled(300, 5_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

type Answer = { statusCode: number; headers: Record<string, string | string[] | number | undefined>; body: string };

function isOAuthError(body: string): boolean {
  try {
    const b = JSON.parse(body) as Record<string, unknown>;
    return Object.keys(b).sort().join() === 'error,error_description' && typeof b.error === 'string' && typeof b.error_description === 'string';
  } catch {
    return false;
  }
}
/** The app's own envelope outside the OAuth endpoints (unknown routes, bodies sent to routes that take none). */
function isAppError(res: Answer): boolean {
  try {
    const b = JSON.parse(res.body) as Record<string, unknown>;
    return Object.keys(b).sort().join() === 'error,message,statusCode' && b.statusCode === res.statusCode;
  } catch {
    return false;
  }
}

/** The OAuth endpoints' contract under hostile input: never 5xx; every refusal is RFC 6749 JSON with no-store. */
function checkOAuth(endpoint: '/oauth/token' | '/oauth/revoke') {
  return (c: HostileCase, res: Answer) => {
    const what = () => `${res.statusCode} ${res.body.slice(0, 200)} for ${JSON.stringify(c.options).slice(0, 400)}`;
    assert.ok(res.statusCode < 500, `5xx on bad input: ${what()}`);
    if (!c.exact) {
      assert.ok(res.statusCode < 300 || isAppError(res) || isOAuthError(res.body), `unexpected answer off the endpoint: ${what()}`);
      return;
    }
    if (res.statusCode === 200) {
      if (endpoint === '/oauth/revoke') assert.equal(res.body, '', what());
      else assert.ok(typeof (JSON.parse(res.body) as { access_token?: unknown }).access_token === 'string', what());
      return;
    }
    assert.ok(res.statusCode >= 400 && isOAuthError(res.body), `not an RFC 6749 error: ${what()}`);
    assert.equal(res.headers['cache-control'], 'no-store', what());
  };
}

/** GET endpoints: never 5xx; the exact route answers 200 JSON whatever the query and headers say. */
function checkGet(c: HostileCase, res: Answer) {
  const what = () => `${res.statusCode} ${res.body.slice(0, 200)} for ${JSON.stringify(c.options).slice(0, 300)}`;
  assert.ok(res.statusCode < 500, `5xx on bad input: ${what()}`);
  if (c.exact) {
    assert.equal(res.statusCode, 200, what());
    JSON.parse(res.body);
  } else assert.ok(res.statusCode < 300 || isAppError(res), what());
}

/** One store's suite: each store has its own test file, so the two run in parallel processes (the longest files in `npm test`). */
export function hostileOAuthSuite(kind: StoreDialect): void {
  describe(`hostile input on the OAuth, discovery and health endpoints (${kind})`, () => {
    let server: TestServer;
    let spec: HostileSpec;
    const figures: Record<string, unknown> = {};
    before(async () => {
      // Limits so high they never refuse: the rate-limit hooks still run on every hostile request.
      const rateLimiter = new RateLimiter({
        rules: [
          { name: OAUTH_RATE_LIMIT_RULES.perIp, points: 1e9, windowSeconds: 60 },
          { name: OAUTH_RATE_LIMIT_RULES.perClient, points: 1e9, windowSeconds: 60 },
          { name: OAUTH_RATE_LIMIT_RULES.authFailuresPerIp, points: 1e9, windowSeconds: 60 },
        ],
      });
      server = await startServer(kind, { app: { rateLimiter } });
      // Well-formed tokens whose use cannot change the database on refusal: a non-rotating client's, and a family
      // that is already revoked (so replaying it has nothing left to revoke).
      const live = await issueRefreshToken(server, { clientId: 'backend-static' });
      const dead0 = await issueRefreshToken(server);
      const dead1 = (await refresh(server, dead0)).body.refresh_token!;
      await refresh(server, dead0);
      spec = {
        method: 'POST',
        path: '/oauth/token',
        keys: ['grant_type', 'client_id', 'client_secret', 'refresh_token', 'token', 'token_type_hint', 'scope', 'audience', 'subject_token', 'subject_token_type', 'session_id', 'target_client_id', 'requested_token_type'],
        values: [
          'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE, 'password', '',
          'backend-static', 'backend', 'm2m', 'spa', 'backend-basic', 'no-such-client',
          secretOf('backend-static'), secretOf('m2m'), secretOf('backend-basic'), 'wrong-secret',
          live, dead0, dead1, 'rfd_rt_', API, 'https://unknown.example.com', 'openid offline_access read:data', 'auth0|fuzz',
        ],
        headers: { basic: `Basic ${Buffer.from(`backend-basic:${secretOf('backend-basic')}`).toString('base64')}` },
      };
    });
    after(async () => {
      reportFigures({ diagnostic: () => {} } as never, `fuzz-${kind}`, figures);
      await server.close();
    });

    for (const endpoint of ['/oauth/token', '/oauth/revoke'] as const) {
      test(`${endpoint}: ${CASES} generated requests (inject) — never 5xx, always RFC 6749 errors, rejected ones change nothing`, async (t) => {
        const stats = await fuzzEndpoint(server.app, server.store as SqlStore, hostileRequest({ ...spec, path: endpoint }), { cases: CASES, check: checkOAuth(endpoint), ...(SEED !== undefined ? { seed: SEED } : {}) });
        assert.ok(stats.unchangedBatches > stats.cases / 25 / 2, `most batches were all refusals and were compared (${stats.unchangedBatches})`);
        figures[endpoint] = stats;
        t.diagnostic(JSON.stringify(stats));
      });

      test(`${endpoint}: ${HTTP_SAMPLE} generated requests over real HTTP`, async () => {
        const cases = fc.sample(hostileRequest({ ...spec, path: endpoint }), { numRuns: HTTP_SAMPLE, ...(SEED !== undefined ? { seed: SEED } : {}) });
        const check = checkOAuth(endpoint);
        let framing = 0;
        for (let i = 0; i < cases.length; i += 20) {
          const batch = cases.slice(i, i + 20);
          const answers = await Promise.all(batch.map((c) => overHttp(server.baseUrl, c).catch((err: Error) => new Error(`${err.message} for ${JSON.stringify(c.options).slice(0, 600)}`))));
          answers.forEach((res, j) => {
            if (res instanceof Error) throw res;
            // Node's HTTP parser refuses an oversized request line or headers (16 KiB) before any route runs.
            if (res.statusCode === 431) return void framing++;
            check(batch[j]!, res);
          });
        }
        figures[`${endpoint} (http, refused by the HTTP parser)`] = framing;
        figures[`${endpoint} (http)`] = cases.length;
      });
    }

    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json', '/health/live', '/health/ready']) {
      test(`GET ${path}: ${CASES} generated requests — never 5xx`, async () => {
        const stats = await fuzzEndpoint(server.app, server.store as SqlStore, hostileRequest({ ...spec, method: 'GET', path }), { cases: CASES, check: checkGet, ...(SEED !== undefined ? { seed: SEED } : {}) });
        figures[path] = stats;
      });
    }

    test('the server still serves a normal refresh afterwards', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal((await refresh(server, t0)).status, 200);
    });
  });
}
