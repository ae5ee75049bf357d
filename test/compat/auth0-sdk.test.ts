import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Management, ManagementClient, ManagementError } from 'auth0';
import { API, MGMT_CLIENT, OTHER_API, secretOf } from '../helpers/fixtures.js';
import { domainOf, freshUser, httpFetch, issueToken, managementToken, refreshWorks } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { refresh } from '../helpers/tokens.js';
import { seedShapeProblems } from './seeds.js';

/**
 * The official SDK (auth0@7.1.0, pinned) against a running refreshd: every refresh-token and session method,
 * first with the SDK obtaining its own token by client credentials, then with a static token. The server's
 * issuer is its real address, so the audience the SDK derives (https://127.0.0.1:PORT/api/v2/) is ours.
 */

interface Recorded {
  method: string;
  url: URL;
  status: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Rejects with the SDK error class for `status`, carrying our envelope with `errorCode`. */
async function rejectsWith(promise: Promise<unknown>, cls: new (...args: never[]) => ManagementError, status: number, errorCode: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
    assert.ok(err instanceof ManagementError);
    assert.equal(err.statusCode, status);
    assert.equal((err.body as { errorCode?: string }).errorCode, errorCode);
    return true;
  });
}

for (const kind of STORES) {
  describe(`auth0 SDK 7.1.0 against refreshd (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { realIssuer: true });
    });
    after(() => server.close());

    const modes: { name: string; make: (fetchFn: typeof fetch) => Promise<ManagementClient> }[] = [
      {
        name: 'client credentials',
        make: async (fetchFn) =>
          new ManagementClient({ domain: domainOf(server), clientId: MGMT_CLIENT, clientSecret: secretOf(MGMT_CLIENT), fetch: fetchFn, maxRetries: 0, timeoutInSeconds: 10 }),
      },
      {
        name: 'static token',
        make: async (fetchFn) => new ManagementClient({ domain: domainOf(server), token: await managementToken(server), fetch: fetchFn, maxRetries: 0, timeoutInSeconds: 10 }),
      },
    ];

    for (const mode of modes) {
      describe(`ManagementClient with ${mode.name}`, () => {
        let client: ManagementClient;
        const requests: Recorded[] = [];
        before(async () => {
          const recording: typeof fetch = async (input, init) => {
            const res = await httpFetch(input, init);
            const url = new URL(String(input instanceof Request ? input.url : input));
            requests.push({ method: init?.method ?? 'GET', url, status: res.status });
            return res;
          };
          client = await mode.make(recording);
        });

        test('the audience the SDK derives from domain is the Management API’s', () => {
          assert.equal(server.refreshd.managementAudience, `https://${domainOf(server)}/api/v2/`);
        });

        test('refreshTokens.get: every seed field, as the token endpoint recorded it', async () => {
          const userId = freshUser('sdk');
          const createdAt = server.clock.now();
          const t = await issueToken(server, { userId, headers: { 'user-agent': 'sdk-test-initial', 'auth0-forwarded-for': '203.0.113.50' } });
          server.clock.advanceSeconds(7);
          const exchangedAt = server.clock.now();
          const r = await refresh(server, t.refreshToken, { headers: { 'user-agent': 'sdk-test-last', 'auth0-forwarded-for': '203.0.113.51' } });
          assert.equal(r.status, 200);

          const got = await client.refreshTokens.get(t.id);
          assert.deepEqual(seedShapeProblems(got), []);
          assert.deepEqual(got, {
            id: t.id,
            user_id: userId,
            created_at: iso(createdAt),
            idle_expires_at: iso(exchangedAt + 3600_000),
            expires_at: iso(createdAt + 86_400_000),
            device: {
              initial_ip: '203.0.113.50',
              initial_asn: '',
              initial_user_agent: 'sdk-test-initial',
              last_ip: '203.0.113.51',
              last_asn: '',
              last_user_agent: 'sdk-test-last',
            },
            client_id: 'backend',
            session_id: t.sessionId,
            rotating: true,
            resource_servers: [{ audience: API, scopes: 'openid offline_access read:data write:data' }],
            refresh_token_metadata: {},
            last_exchanged_at: iso(exchangedAt),
          });

          const forever = await issueToken(server, { userId, clientId: 'backend-forever' });
          const nonRotating = await client.refreshTokens.get(forever.id);
          assert.deepEqual(seedShapeProblems(nonRotating), []);
          assert.deepEqual([nonRotating.rotating, nonRotating.expires_at, nonRotating.idle_expires_at, nonRotating.last_exchanged_at], [false, null, null, null]);

          await rejectsWith(client.refreshTokens.get('AAAAAAAAAAAAAAAAAAAAAA'), Management.NotFoundError, 404, 'inexistent_refresh_token');
        });

        test(`token acquisition: ${mode.name === 'client credentials' ? 'one client-credentials request, then reuse' : 'none, the given token is used'}`, () => {
          const tokenCalls = requests.filter((r) => r.url.pathname === '/oauth/token');
          const apiCalls = requests.filter((r) => r.url.pathname.startsWith('/api/v2/'));
          assert.ok(apiCalls.length >= 3);
          if (mode.name === 'client credentials') {
            assert.deepEqual(tokenCalls.map((r) => [r.method, r.status]), [['POST', 200]]);
            const seccft = server.events.filter((e) => e.type === 'seccft' && e.clientId === MGMT_CLIENT && e.details?.audience === server.refreshd.managementAudience);
            assert.ok(seccft.length >= 1);
          } else {
            assert.equal(tokenCalls.length, 0);
          }
        });

        test('refreshTokens.update replaces metadata, null clears it, invalid metadata is a BadRequestError', async () => {
          const t = await issueToken(server, { userId: freshUser('sdk') });
          const updated = await client.refreshTokens.update(t.id, { refresh_token_metadata: { device_name: 'Pixel', app: 'mobile' } });
          assert.deepEqual(seedShapeProblems(updated), []);
          assert.deepEqual(updated.refresh_token_metadata, { device_name: 'Pixel', app: 'mobile' });
          const replaced = await client.refreshTokens.update(t.id, { refresh_token_metadata: { app: 'web' } });
          assert.deepEqual(replaced.refresh_token_metadata, { app: 'web' });
          assert.deepEqual((await client.refreshTokens.get(t.id)).refresh_token_metadata, { app: 'web' });
          const cleared = await client.refreshTokens.update(t.id, { refresh_token_metadata: null });
          assert.deepEqual(cleared.refresh_token_metadata, {});
          await rejectsWith(client.refreshTokens.update(t.id, { refresh_token_metadata: { 'not ok': 'x' } }), Management.BadRequestError, 400, 'invalid_body');
          // update(id) with no body sends {}: Auth0's minProperties makes that a 400.
          await rejectsWith(client.refreshTokens.update(t.id), Management.BadRequestError, 400, 'invalid_body');
          await rejectsWith(client.refreshTokens.update('AAAAAAAAAAAAAAAAAAAAAA', { refresh_token_metadata: {} }), Management.NotFoundError, 404, 'inexistent_refresh_token');
        });

        test('refreshTokens.delete revokes at once; deleting it again (or an unknown id) still resolves', async () => {
          const t = await issueToken(server, { userId: freshUser('sdk') });
          assert.equal(await client.refreshTokens.delete(t.id), undefined);
          assert.equal(await refreshWorks(server, t.refreshToken), false);
          await rejectsWith(client.refreshTokens.get(t.id), Management.NotFoundError, 404, 'inexistent_refresh_token');
          await client.refreshTokens.delete(t.id);
          await client.refreshTokens.delete('AAAAAAAAAAAAAAAAAAAAAA');
          const deletes = requests.filter((r) => r.method === 'DELETE' && r.url.pathname.endsWith(`/refresh-tokens/${t.id}`));
          assert.deepEqual(deletes.map((r) => r.status), [202, 202]);
        });

        test('refreshTokens.list pages with next to the end (for await), filters by client and selects fields', async () => {
          const userId = freshUser('sdk');
          const ids: string[] = [];
          for (let i = 0; i < 5; i++) {
            ids.push((await issueToken(server, { userId, clientId: i === 2 ? 'backend-static' : 'backend' })).id);
            server.clock.advance(1);
          }
          const seen: string[] = [];
          const page = await client.refreshTokens.list({ user_id: userId, take: 2 });
          for await (const token of page) {
            assert.deepEqual(seedShapeProblems(token), []);
            seen.push(token.id ?? '');
          }
          assert.deepEqual(seen, ids);
          const listCalls = requests.filter((r) => r.url.pathname === '/api/v2/refresh-tokens' && r.url.searchParams.get('user_id') === userId);
          assert.equal(listCalls.length, 3, 'three pages of 2, 2, 1');
          assert.equal(listCalls[0]?.url.searchParams.get('from'), null);
          assert.ok(listCalls[1]?.url.searchParams.get('from'));

          const backendOnly: string[] = [];
          for await (const token of await client.refreshTokens.list({ user_id: userId, client_id: 'backend' })) backendOnly.push(token.id ?? '');
          assert.deepEqual(backendOnly, ids.filter((_, i) => i !== 2));

          const slim = await client.refreshTokens.list({ user_id: userId, fields: 'id,client_id', include_fields: true });
          assert.deepEqual(slim.data[0], { id: ids[0], client_id: 'backend' });
          assert.equal(slim.hasNextPage(), false);
        });

        test('refreshTokens.revoke: by ids, by user + client + audience, by user + client, by user; each at once', async () => {
          const userId = freshUser('sdk');
          const a = await issueToken(server, { userId });
          const b = await issueToken(server, { userId });
          await client.refreshTokens.revoke({ ids: [a.id] });
          assert.deepEqual([await refreshWorks(server, a.refreshToken), await refreshWorks(server, b.refreshToken)], [false, true]);

          const other = await issueToken(server, { userId, audience: OTHER_API, scope: 'openid offline_access other:read' });
          const c = await issueToken(server, { userId });
          await client.refreshTokens.revoke({ user_id: userId, client_id: 'backend', audience: OTHER_API });
          assert.deepEqual([await refreshWorks(server, other.refreshToken), await refreshWorks(server, c.refreshToken)], [false, true]);

          const d = await issueToken(server, { userId });
          const e = await issueToken(server, { userId, clientId: 'backend-static' });
          await client.refreshTokens.revoke({ user_id: userId, client_id: 'backend' });
          assert.deepEqual([await refreshWorks(server, d.refreshToken), await refreshWorks(server, e.refreshToken, 'backend-static')], [false, true]);

          await client.refreshTokens.revoke({ user_id: userId });
          assert.equal(await refreshWorks(server, e.refreshToken, 'backend-static'), false);

          await rejectsWith(client.refreshTokens.revoke(), Management.BadRequestError, 400, 'invalid_body');
          await rejectsWith(client.refreshTokens.revoke({ client_id: 'backend' }), Management.BadRequestError, 400, 'invalid_body');
        });

        test('users.refreshToken.list pages with next and reports the total; users.refreshToken.delete revokes them all', async () => {
          const userId = freshUser('sdk');
          const issued = [];
          for (let i = 0; i < 3; i++) {
            issued.push(await issueToken(server, { userId }));
            server.clock.advance(1);
          }
          const page = await client.users.refreshToken.list(userId, { take: 2 });
          assert.equal(page.response.total, 3);
          assert.equal(page.data.length, 2);
          const seen: string[] = [];
          for await (const token of page) seen.push(token.id ?? '');
          assert.deepEqual(seen, issued.map((t) => t.id));

          await client.users.refreshToken.delete(userId);
          for (const t of issued) assert.equal(await refreshWorks(server, t.refreshToken), false);
          const after = await client.users.refreshToken.list(userId);
          assert.deepEqual([after.data, after.response.total, after.hasNextPage()], [[], 0, false]);
        });

        test('sessions.get / update / delete: Auth0’s session shape; deleting leaves refresh tokens usable', async () => {
          const userId = freshUser('sdk');
          const createdAt = server.clock.now();
          const t = await issueToken(server, { userId, headers: { 'user-agent': 'session-agent', 'auth0-forwarded-for': '198.51.100.77' } });
          const session = await client.sessions.get(t.sessionId);
          assert.deepEqual(session, {
            id: t.sessionId,
            user_id: userId,
            created_at: iso(createdAt),
            updated_at: iso(createdAt),
            authenticated_at: iso(createdAt),
            idle_expires_at: null,
            expires_at: null,
            last_interacted_at: iso(createdAt),
            device: {
              initial_user_agent: 'session-agent',
              initial_ip: '198.51.100.77',
              initial_asn: '',
              last_user_agent: 'session-agent',
              last_ip: '198.51.100.77',
              last_asn: '',
            },
            clients: [{ client_id: 'backend' }],
            authentication: { methods: [] },
            session_metadata: {},
          });

          const updated = await client.sessions.update(t.sessionId, { session_metadata: { theme: 'dark' } });
          assert.deepEqual(updated.session_metadata, { theme: 'dark' });
          assert.deepEqual((await client.sessions.update(t.sessionId, { session_metadata: {} })).session_metadata, {});
          await rejectsWith(client.sessions.update(t.sessionId, { session_metadata: { k: 'v'.repeat(256) } }), Management.BadRequestError, 400, 'invalid_body');

          await client.sessions.delete(t.sessionId);
          await rejectsWith(client.sessions.get(t.sessionId), Management.NotFoundError, 404, 'inexistent_session');
          assert.equal(await refreshWorks(server, t.refreshToken), true);
        });

        test('sessions.revoke ends the session and its refresh tokens at once; an unknown session is a NotFoundError', async () => {
          const userId = freshUser('sdk');
          const a = await issueToken(server, { userId });
          const b = await issueToken(server, { userId });
          await client.sessions.revoke(a.sessionId);
          await rejectsWith(client.sessions.get(a.sessionId), Management.NotFoundError, 404, 'inexistent_session');
          assert.equal(await refreshWorks(server, a.refreshToken), false);
          assert.equal(await refreshWorks(server, b.refreshToken), true);
          await rejectsWith(client.sessions.revoke('AAAAAAAAAAAAAAAAAAAAAA'), Management.NotFoundError, 404, 'inexistent_session');
        });

        test('users.sessions.list pages to the end; users.sessions.delete deletes them', async () => {
          const userId = freshUser('sdk');
          const ids: string[] = [];
          for (let i = 0; i < 3; i++) {
            ids.push((await issueToken(server, { userId })).sessionId);
            server.clock.advance(1);
          }
          const page = await client.users.sessions.list(userId, { take: 1 });
          assert.equal(page.response.total, 3);
          const seen: string[] = [];
          for await (const s of page) seen.push(s.id ?? '');
          assert.deepEqual(seen, ids);

          await client.users.sessions.delete(userId);
          const empty = await client.users.sessions.list(userId);
          assert.deepEqual([empty.data, empty.response.total], [[], 0]);
        });

        test('users.revokeAccess: one session (tokens preserved or not), then everything', async () => {
          const userId = freshUser('sdk');
          const a = await issueToken(server, { userId });
          const b = await issueToken(server, { userId });
          const c = await issueToken(server, { userId });
          await client.users.revokeAccess(userId, { session_id: a.sessionId, preserve_refresh_tokens: true });
          await rejectsWith(client.sessions.get(a.sessionId), Management.NotFoundError, 404, 'inexistent_session');
          assert.equal(await refreshWorks(server, a.refreshToken), true);

          await client.users.revokeAccess(userId, { session_id: b.sessionId });
          assert.equal(await refreshWorks(server, b.refreshToken), false);
          assert.equal((await client.sessions.get(c.sessionId)).id, c.sessionId);

          await client.users.revokeAccess(userId);
          assert.equal(await refreshWorks(server, c.refreshToken), false);
          assert.deepEqual((await client.users.sessions.list(userId)).data, []);
        });
      });
    }

    test('scope and token errors surface as the SDK’s ForbiddenError and UnauthorizedError', async () => {
      const t = await issueToken(server, { userId: freshUser('sdk') });
      const readOnly = new ManagementClient({ domain: domainOf(server), token: await managementToken(server, 'read:refresh_tokens'), fetch: httpFetch, maxRetries: 0 });
      assert.equal((await readOnly.refreshTokens.get(t.id)).id, t.id);
      await rejectsWith(readOnly.refreshTokens.delete(t.id), Management.ForbiddenError, 403, 'insufficient_scope');
      await rejectsWith(readOnly.sessions.get(t.sessionId), Management.ForbiddenError, 403, 'insufficient_scope');
      const garbage = new ManagementClient({ domain: domainOf(server), token: 'not-a-token', fetch: httpFetch, maxRetries: 0 });
      await rejectsWith(garbage.refreshTokens.get(t.id), Management.UnauthorizedError, 401, 'invalid_token');
      const wrongSecret = new ManagementClient({ domain: domainOf(server), clientId: MGMT_CLIENT, clientSecret: 'wrong', fetch: httpFetch, maxRetries: 0 });
      await assert.rejects(wrongSecret.refreshTokens.get(t.id), (err: unknown) => err instanceof ManagementError && err.statusCode === 401);
      assert.equal(await refreshWorks(server, t.refreshToken), true);
    });
  });
}
