import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreUnavailableError } from '../../../src/core/errors.js';
import type { Store } from '../../../src/ports/store.js';
import { api, envelopeOf, freshUser, issueToken, managementToken } from '../../helpers/management.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';

type Wire = Record<string, unknown>;

/** Replaces one store method for the duration of `run`, on this store instance only. */
async function withStoreFailure<K extends keyof Store>(store: Store, method: K, error: Error, run: () => Promise<void>): Promise<void> {
  const target = store as unknown as Record<string, unknown>;
  target[method] = async () => {
    throw error;
  };
  try {
    await run();
  } finally {
    delete target[method];
  }
}

for (const kind of STORES) {
  describe(`Management API error envelope (${kind})`, () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startServer(kind);
      token = await managementToken(server);
    });
    after(() => server.close());

    test('path parameters out of bounds are 400 invalid_uri', async () => {
      for (const path of ['/refresh-tokens/%00', '/users/a%0Ab/sessions', `/refresh-tokens/${'a'.repeat(65)}`, `/sessions/${'a'.repeat(65)}/revoke`, `/users/${'u'.repeat(301)}/sessions`, `/users/${'u'.repeat(301)}/refresh-tokens`]) {
        const method = path.endsWith('/revoke') ? 'POST' : 'GET';
        const r = await api<Wire>(server, method, path, { token });
        assert.equal(r.status, 400, path);
        assert.equal(r.body.errorCode, 'invalid_uri', path);
        assert.equal(r.body.error, 'Bad Request');
        assert.match(String(r.body.message), /^Path validation error/);
      }
    });

    test('a path that cannot be decoded, or a huge parameter, is 400 invalid_uri in the envelope', async () => {
      for (const path of ['/refresh-tokens/%E0%A4%A', '/users/%ZZ/sessions', `/refresh-tokens/${'a'.repeat(5000)}`]) {
        const r = await api<Wire>(server, 'GET', path, { token });
        assert.deepEqual([r.status, r.body], [400, envelopeOf(400, 'invalid_uri', 'Invalid request URI: it cannot be decoded.')], path.slice(0, 40));
      }
    });

    test('user ids are percent-decoded, slashes included', async () => {
      const userId = 'auth0|with/slash';
      const t = await issueToken(server, { userId });
      const r = await api<{ tokens: Wire[] }>(server, 'GET', `/users/${encodeURIComponent(userId)}/refresh-tokens`, { token });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.tokens.map((x) => x.id), [t.id]);
    });

    test('unknown routes under /api/v2 answer 404 in the envelope', async () => {
      for (const [method, path] of [['GET', '/nothing'], ['GET', '/refresh-tokens/a/b'], ['PUT', '/refresh-tokens/abc'], ['POST', '/sessions/abc']]) {
        const r = await api<Wire>(server, method!, path!, { token });
        assert.deepEqual([r.status, r.body], [404, envelopeOf(404, 'not_found', 'Not Found')], `${method} ${path}`);
      }
    });

    test('a body over 1 MB is 413 in the envelope; a JSON content type with charset is fine', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const big = JSON.stringify({ refresh_token_metadata: { a: 'x'.repeat(1024 * 1024) } });
      const r = await api<Wire>(server, 'PATCH', `/refresh-tokens/${t.id}`, { token, body: big });
      assert.deepEqual([r.status, r.body.errorCode, r.body.error], [413, 'invalid_body', 'Payload Too Large']);
      const ok = await api<Wire>(server, 'PATCH', `/refresh-tokens/${t.id}`, { token, body: { refresh_token_metadata: { a: 'b' } }, contentType: 'application/json; charset=utf-8' });
      assert.equal(ok.status, 200, ok.text);
    });

    test('an empty JSON body with a JSON content type is 400 invalid_body', async () => {
      const r = await api<Wire>(server, 'POST', '/refresh-tokens/revoke', { token, body: '' });
      assert.deepEqual([r.status, r.body.errorCode], [400, 'invalid_body']);
    });

    test('a store outage is 503 in the envelope, with Retry-After, on reads and writes', async () => {
      const outage = new StoreUnavailableError('the database is unavailable');
      await withStoreFailure(server.store, 'findFamily', outage, async () => {
        const r = await api<Wire>(server, 'GET', '/refresh-tokens/AAAAAAAAAAAAAAAAAAAAAA', { token });
        assert.deepEqual([r.status, r.body], [503, envelopeOf(503, 'temporarily_unavailable', 'The service is temporarily unavailable; retry shortly.')]);
        assert.equal(r.headers.get('retry-after'), '1');
      });
      await withStoreFailure(server.store, 'revokeFamilies', outage, async () => {
        const r = await api<Wire>(server, 'POST', '/refresh-tokens/revoke', { token, body: { user_id: 'auth0|x' } });
        assert.equal(r.status, 503);
      });
      await withStoreFailure(server.store, 'listSessions', outage, async () => {
        const r = await api<Wire>(server, 'GET', '/users/auth0%7Cx/sessions', { token });
        assert.equal(r.status, 503);
      });
    });

    test('an unexpected failure is a bare 500 that reveals nothing', async () => {
      await withStoreFailure(server.store, 'findSession', new Error('secret internal detail: password=hunter2'), async () => {
        const r = await api<Wire>(server, 'GET', '/sessions/AAAAAAAAAAAAAAAAAAAAAA', { token });
        assert.deepEqual([r.status, r.body], [500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error', errorCode: 'internal_error' }]);
        assert.doesNotMatch(r.text, /hunter2|secret/);
      });
    });

    test('odd input never causes a 500', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const requests: [string, string, unknown?][] = [
        ['GET', '/refresh-tokens/%00'],
        ['GET', '/refresh-tokens/..%2F..%2Fetc'],
        ['GET', `/refresh-tokens/${encodeURIComponent('💥'.repeat(10))}`],
        ['GET', '/refresh-tokens?user_id=%00&client_id=%FF'],
        ['GET', '/refresh-tokens?user_id=u&from=%00'],
        ['GET', '/refresh-tokens?user_id=u&fields=,,,'],
        ['GET', '/refresh-tokens?user_id[]=a'],
        ['GET', '/refresh-tokens?__proto__=x&user_id=u'],
        ['GET', '/refresh-tokens?constructor[prototype][x]=1&user_id=u'],
        ['GET', '/users/%20/sessions?include_totals=TRUE'],
        ['PATCH', `/refresh-tokens/${t.id}`, '{"refresh_token_metadata":{"a":"\\ud800"}}'],
        ['PATCH', `/refresh-tokens/${t.id}`, '{"refresh_token_metadata":{"a":"b"},"refresh_token_metadata":{"c":"d"}}'],
        ['PATCH', `/refresh-tokens/${t.id}`, `{"refresh_token_metadata":${'['.repeat(5000)}`],
        ['PATCH', `/sessions/${t.sessionId}`, '{"session_metadata":{"toString":"x","valueOf":"y"}}'],
        ['POST', '/refresh-tokens/revoke', { ids: [null] }],
        ['POST', '/refresh-tokens/revoke', { ids: [{}] }],
        ['POST', '/refresh-tokens/revoke', { user_id: 'u', client_id: null }],
        ['POST', '/users/u/revoke-access', { session_id: null }],
        ['POST', '/users/u/revoke-access', '{"__proto__":{"preserve_refresh_tokens":true}}'],
      ];
      for (const [method, path, body] of requests) {
        const r = await api<Wire>(server, method, path, { token, ...(body !== undefined ? { body } : {}) });
        assert.ok(r.status < 500, `${method} ${path} → ${r.status} ${r.text}`);
        assert.equal(typeof r.body?.statusCode === 'number' || r.status < 300, true, `${method} ${path}: envelope expected, got ${r.text}`);
      }
    });
  });
}
