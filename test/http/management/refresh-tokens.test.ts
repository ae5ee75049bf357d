import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API, OTHER_API } from '../../helpers/fixtures.js';
import { api, envelopeOf, freshUser, issueToken, managementToken, refreshWorks } from '../../helpers/management.js';
import { post, startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';
import { refresh } from '../../helpers/tokens.js';

type Wire = Record<string, unknown>;
const NOT_FOUND = envelopeOf(404, 'inexistent_refresh_token', 'The refresh token does not exist.');
const iso = (ms: number) => new Date(ms).toISOString();
const enc = encodeURIComponent;

for (const kind of STORES) {
  describe(`Management API: refresh tokens (${kind})`, () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startServer(kind);
      token = await managementToken(server);
    });
    after(() => server.close());

    const get = (id: string) => api<Wire>(server, 'GET', `/refresh-tokens/${enc(id)}`, { token });
    const patch = (id: string, body: unknown, contentType?: string) =>
      api<Wire>(server, 'PATCH', `/refresh-tokens/${enc(id)}`, { token, body, ...(contentType ? { contentType } : {}) });
    const listIds = async (query: string) => {
      const r = await api<{ refresh_tokens: Wire[]; next?: string }>(server, 'GET', `/refresh-tokens?${query}`, { token });
      assert.equal(r.status, 200, r.text);
      return r.body.refresh_tokens.map((t) => t.id);
    };

    test('GET shows every field of the seed, as the token endpoint recorded it', async () => {
      const userId = freshUser();
      const issuedAt = server.clock.now();
      const t = await issueToken(server, {
        userId,
        headers: { 'user-agent': 'initial-agent/1.0', 'auth0-forwarded-for': '203.0.113.7' },
      });
      server.clock.advanceSeconds(5);
      const exchangedAt = server.clock.now();
      const r1 = await refresh(server, t.refreshToken, { headers: { 'user-agent': 'last-agent/2.0', 'auth0-forwarded-for': '198.51.100.9' } });
      assert.equal(r1.status, 200);

      const r = await get(t.id);
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(r.body, {
        id: t.id,
        user_id: userId,
        created_at: iso(issuedAt),
        // backend: idle 3600 s from the last exchange, absolute 86 400 s from issuance.
        idle_expires_at: iso(exchangedAt + 3600_000),
        expires_at: iso(issuedAt + 86_400_000),
        device: {
          initial_ip: '203.0.113.7',
          initial_asn: '',
          initial_user_agent: 'initial-agent/1.0',
          last_ip: '198.51.100.9',
          last_asn: '',
          last_user_agent: 'last-agent/2.0',
        },
        client_id: 'backend',
        session_id: t.sessionId,
        rotating: true,
        resource_servers: [{ audience: API, scopes: 'openid offline_access read:data write:data' }],
        refresh_token_metadata: {},
        last_exchanged_at: iso(exchangedAt),
      });
      // Secrets never appear: neither the token nor anything that looks like a digest.
      assert.doesNotMatch(r.text, /rfd_rt_|hash|successor/);
    });

    test('a non-expiring, non-rotating token has null expiries and no last exchange until it is used', async () => {
      const t = await issueToken(server, { clientId: 'backend-forever', userId: freshUser() });
      const r = await get(t.id);
      assert.equal(r.status, 200);
      assert.equal(r.body.expires_at, null);
      assert.equal(r.body.idle_expires_at, null);
      assert.equal(r.body.last_exchanged_at, null);
      assert.equal(r.body.rotating, false);
      assert.equal(r.body.client_id, 'backend-forever');
    });

    test('unknown, revoked and expired tokens do not exist (404)', async () => {
      assert.deepEqual((await get('AAAAAAAAAAAAAAAAAAAAAA')).body, NOT_FOUND);
      assert.equal((await get('AAAAAAAAAAAAAAAAAAAAAA')).status, 404);

      const revoked = await issueToken(server, { userId: freshUser() });
      const rv = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: 'backend-secret-0123456789abcdefghijklmnop', token: revoked.refreshToken });
      assert.equal(rv.status, 200);
      const r = await get(revoked.id);
      assert.deepEqual([r.status, r.body], [404, NOT_FOUND]);

      const idle = await issueToken(server, { userId: freshUser() });
      server.clock.advanceSeconds(3601);
      assert.deepEqual((await get(idle.id)).body, NOT_FOUND);
      // The management token itself lives 24 h, so it is still good here.
    });

    test('PATCH replaces refresh_token_metadata whole; {} and null clear it', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const first = await patch(t.id, { refresh_token_metadata: { device_name: "Alice's iPhone", tier: 'gold' } });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.refresh_token_metadata, { device_name: "Alice's iPhone", tier: 'gold' });
      assert.equal(first.body.id, t.id);
      assert.equal(first.body.client_id, 'backend');

      const replaced = await patch(t.id, { refresh_token_metadata: { region: 'eu' } });
      assert.deepEqual(replaced.body.refresh_token_metadata, { region: 'eu' }, 'replace, not merge');
      assert.deepEqual((await get(t.id)).body.refresh_token_metadata, { region: 'eu' });

      assert.deepEqual((await patch(t.id, { refresh_token_metadata: {} })).body.refresh_token_metadata, {});
      await patch(t.id, { refresh_token_metadata: { a: 'b' } });
      assert.deepEqual((await patch(t.id, { refresh_token_metadata: null })).body.refresh_token_metadata, {});
      assert.deepEqual((await get(t.id)).body.refresh_token_metadata, {});
    });

    test('PATCH accepts exactly 25 keys of 255 characters with 255-character values', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const metadata: Record<string, string> = {};
      for (let i = 0; i < 25; i++) metadata[`k${i}_`.padEnd(255, 'x')] = 'v'.repeat(255);
      const r = await patch(t.id, { refresh_token_metadata: metadata });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.refresh_token_metadata, metadata);
    });

    test('PATCH refuses anything but a valid refresh_token_metadata with 400 invalid_body', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      await patch(t.id, { refresh_token_metadata: { keep: 'me' } });
      const many: Record<string, string> = {};
      for (let i = 0; i < 26; i++) many[`k${i}`] = 'v';
      const bodies: unknown[] = [
        {},
        { other: 'x' },
        { refresh_token_metadata: { a: 'b' }, session_id: 'x' },
        { refresh_token_metadata: 'text' },
        { refresh_token_metadata: ['a'] },
        { refresh_token_metadata: 5 },
        { refresh_token_metadata: many },
        { refresh_token_metadata: { 'bad key': 'v' } },
        { refresh_token_metadata: { 'k.dot': 'v' } },
        { refresh_token_metadata: { ['k'.repeat(256)]: 'v' } },
        { refresh_token_metadata: { k: 'v'.repeat(256) } },
        { refresh_token_metadata: { k: 1 } },
        { refresh_token_metadata: { k: null } },
        { refresh_token_metadata: { k: { nested: 'x' } } },
        [],
        'null',
        '"text"',
        '{"refresh_token_metadata":',
        '{"refresh_token_metadata":{"__proto__":"x"}}',
        '{"__proto__":{"refresh_token_metadata":{}}}',
        '{"refresh_token_metadata":{"constructor":{"prototype":{"x":"y"}}}}',
      ];
      for (const body of bodies) {
        const r = await patch(t.id, body);
        assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.text}`);
        assert.equal(r.body.errorCode, 'invalid_body', JSON.stringify(body).slice(0, 80));
        assert.equal(r.body.statusCode, 400);
        assert.equal(r.body.error, 'Bad Request');
        assert.equal(typeof r.body.message, 'string');
      }
      const wrongType = await patch(t.id, 'refresh_token_metadata=x', 'application/x-www-form-urlencoded');
      assert.deepEqual([wrongType.status, wrongType.body.errorCode], [400, 'invalid_body']);
      const plain = await patch(t.id, '{"refresh_token_metadata":{}}', 'text/plain');
      assert.deepEqual([plain.status, plain.body.errorCode], [400, 'invalid_body']);
      const none = await api<Wire>(server, 'PATCH', `/refresh-tokens/${t.id}`, { token });
      assert.deepEqual([none.status, none.body.errorCode], [400, 'invalid_body']);
      assert.deepEqual((await get(t.id)).body.refresh_token_metadata, { keep: 'me' }, 'nothing was written');
    });

    test('constructor, toString and similar keys are stored as plain data', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const metadata = { constructor: 'c', toString: 't', hasOwnProperty: 'h', prototype: 'p' };
      const r = await patch(t.id, { refresh_token_metadata: metadata });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.refresh_token_metadata, metadata);
      assert.deepEqual((await get(t.id)).body.refresh_token_metadata, metadata);
    });

    test('PATCH of an unknown or revoked token is 404', async () => {
      assert.deepEqual((await patch('AAAAAAAAAAAAAAAAAAAAAA', { refresh_token_metadata: {} })).body, NOT_FOUND);
      const t = await issueToken(server, { userId: freshUser() });
      assert.equal((await api(server, 'DELETE', `/refresh-tokens/${t.id}`, { token })).status, 202);
      const r = await patch(t.id, { refresh_token_metadata: { a: 'b' } });
      assert.deepEqual([r.status, r.body], [404, NOT_FOUND]);
    });

    test('DELETE revokes at once: the token fails at /oauth/token on the next request; repeating it is harmless', async () => {
      const userId = freshUser();
      const t = await issueToken(server, { userId });
      const r = await api(server, 'DELETE', `/refresh-tokens/${t.id}`, { token });
      assert.equal(r.status, 202);
      assert.deepEqual(r.body, {});
      assert.equal(await refreshWorks(server, t.refreshToken), false);
      assert.equal((await get(t.id)).status, 404);
      assert.equal((await api(server, 'DELETE', `/refresh-tokens/${t.id}`, { token })).status, 202);
      // Unknown ids are accepted too: Auth0 documents no 404 for this endpoint (see deleteRefreshToken).
      assert.equal((await api(server, 'DELETE', '/refresh-tokens/AAAAAAAAAAAAAAAAAAAAAA', { token })).status, 202);

      const events = server.events.filter((e) => e.type === 'sapi' && e.details?.refresh_token_id === t.id);
      assert.equal(events.length, 2);
      assert.equal(events[0]?.details?.revoked, true);
      assert.equal(events[1]?.details?.revoked, false);
      assert.equal(events[0]?.clientId, 'mgmt');
      // Named after the user, so the revocation is among that user's logs (GET /logs?q=user_id:…, the console's view).
      assert.equal(events[0]?.userId, userId);
      const unknown = server.events.find((e) => e.type === 'sapi' && e.details?.refresh_token_id === 'AAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(unknown?.userId, null);
      const logged = JSON.stringify(server.events);
      assert.equal(logged.includes('rfd_rt_'), false, 'events never carry refresh tokens');
      assert.equal(logged.includes(token.split('.')[2]!), false, 'nor the management token');
    });

    test('GET /refresh-tokens lists a user’s live tokens in creation order, optionally of one client', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      server.clock.advance(1);
      const b = await issueToken(server, { userId, clientId: 'backend-static' });
      server.clock.advance(1);
      const c = await issueToken(server, { userId });
      server.clock.advance(1);
      const revoked = await issueToken(server, { userId });
      await issueToken(server, { userId: freshUser() });
      await api(server, 'DELETE', `/refresh-tokens/${revoked.id}`, { token });

      assert.deepEqual(await listIds(`user_id=${enc(userId)}`), [a.id, b.id, c.id]);
      assert.deepEqual(await listIds(`user_id=${enc(userId)}&client_id=backend`), [a.id, c.id]);
      assert.deepEqual(await listIds(`user_id=${enc(userId)}&client_id=backend-static`), [b.id]);
      assert.deepEqual(await listIds(`user_id=${enc(userId)}&client_id=nobody`), []);
      assert.deepEqual(await listIds(`user_id=${enc('auth0|nobody')}`), []);

      const full = await api<{ refresh_tokens: Wire[]; next?: string }>(server, 'GET', `/refresh-tokens?user_id=${enc(userId)}`, { token });
      assert.deepEqual(full.body.refresh_tokens[0], (await get(a.id)).body, 'list items are the same objects as GET');
      assert.equal('next' in full.body, false, 'no next on the last page');
    });

    test('fields and include_fields select what each listed token shows', async () => {
      const userId = freshUser();
      const t = await issueToken(server, { userId });
      const q = `user_id=${enc(userId)}`;
      const only = await api<{ refresh_tokens: Wire[] }>(server, 'GET', `/refresh-tokens?${q}&fields=id,client_id`, { token });
      assert.deepEqual(only.body.refresh_tokens, [{ id: t.id, client_id: 'backend' }]);
      const incl = await api<{ refresh_tokens: Wire[] }>(server, 'GET', `/refresh-tokens?${q}&fields=id&include_fields=true`, { token });
      assert.deepEqual(incl.body.refresh_tokens, [{ id: t.id }]);
      const excl = await api<{ refresh_tokens: Wire[] }>(server, 'GET', `/refresh-tokens?${q}&fields=device,resource_servers&include_fields=false`, { token });
      const keys = Object.keys(excl.body.refresh_tokens[0] ?? {});
      assert.equal(keys.includes('device'), false);
      assert.equal(keys.includes('resource_servers'), false);
      assert.equal(keys.includes('id') && keys.includes('created_at') && keys.includes('refresh_token_metadata'), true);
      const unknown = await api<Wire>(server, 'GET', `/refresh-tokens?${q}&fields=id,secret`, { token });
      assert.deepEqual([unknown.status, unknown.body.errorCode], [400, 'invalid_query_string']);
    });

    test('GET /refresh-tokens needs user_id and valid paging parameters (400 invalid_query_string)', async () => {
      for (const query of ['', 'client_id=backend', 'user_id=', 'user_id=u&take=0', 'user_id=u&take=101', 'user_id=u&take=1.5', 'user_id=u&take=abc', 'user_id=u&take=1e1', 'user_id=u&take=1&take=2', 'user_id=u&include_fields=maybe', 'user_id=u&from=not-a-cursor']) {
        const r = await api<Wire>(server, 'GET', `/refresh-tokens?${query}`, { token });
        assert.equal(r.status, 400, `${query} → ${r.text}`);
        assert.equal(r.body.errorCode, 'invalid_query_string', query);
      }
      assert.equal((await api(server, 'GET', '/refresh-tokens?user_id=u&take=100', { token })).status, 200);
      assert.equal((await api(server, 'GET', '/refresh-tokens?user_id=u&take=1&per_page=5', { token })).status, 200, 'unknown parameters are ignored');
    });

    test('checkpoint paging walks every token once, stays consistent while tokens are added and revoked, and ends without next', async () => {
      const userId = freshUser();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await issueToken(server, { userId })).id);
        server.clock.advance(1);
      }
      const page = async (from?: string) => {
        const r = await api<{ tokens: Wire[]; next?: string; total?: number }>(
          server,
          'GET',
          `/users/${enc(userId)}/refresh-tokens?take=2&include_totals=true${from ? `&from=${enc(from)}` : ''}`,
          { token },
        );
        assert.equal(r.status, 200, r.text);
        return r.body;
      };
      const p1 = await page();
      assert.deepEqual(p1.tokens.map((t) => t.id), ids.slice(0, 2));
      assert.equal(p1.total, 5);
      assert.equal(typeof p1.next, 'string');

      // Between pages: a served row and an unserved row are revoked, a new one is issued.
      await api(server, 'DELETE', `/refresh-tokens/${ids[0]}`, { token });
      await api(server, 'DELETE', `/refresh-tokens/${ids[3]}`, { token });
      const added = (await issueToken(server, { userId })).id;

      const p2 = await page(p1.next);
      assert.deepEqual(p2.tokens.map((t) => t.id), [ids[2], ids[4]]);
      assert.equal(p2.total, 4);
      const p3 = await page(p2.next);
      assert.deepEqual(p3.tokens.map((t) => t.id), [added]);
      assert.equal('next' in p3, false);

      // include_totals=false (or absent) leaves total out.
      const noTotal = await api<Wire>(server, 'GET', `/users/${enc(userId)}/refresh-tokens?include_totals=false`, { token });
      assert.equal('total' in noTotal.body, false);
      assert.equal((noTotal.body.tokens as unknown[]).length, 4);
    });

    test('a cursor only continues its own listing: tampered, foreign-user or other-endpoint cursors are 400', async () => {
      const userId = freshUser();
      for (let i = 0; i < 3; i++) {
        await issueToken(server, { userId });
        server.clock.advance(1);
      }
      const first = await api<{ next: string }>(server, 'GET', `/users/${enc(userId)}/refresh-tokens?take=1`, { token });
      const cursor = first.body.next;
      const expectBad = async (path: string) => {
        const r = await api<Wire>(server, 'GET', path, { token });
        assert.deepEqual(
          r.body,
          envelopeOf(400, 'invalid_query_string', "The checkpoint ID provided in the 'from' parameter has expired or is invalid, please remove the checkpoint ID and try again"),
          path,
        );
      };
      const flipped = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
      await expectBad(`/users/${enc(userId)}/refresh-tokens?from=${flipped}`);
      await expectBad(`/users/${enc(freshUser())}/refresh-tokens?from=${cursor}`);
      await expectBad(`/refresh-tokens?user_id=${enc(userId)}&from=${cursor}`);
      await expectBad(`/users/${enc(userId)}/sessions?from=${cursor}`);
      const listCursor = (await api<{ next: string }>(server, 'GET', `/refresh-tokens?user_id=${enc(userId)}&take=1`, { token })).body.next;
      await expectBad(`/refresh-tokens?user_id=${enc(userId)}&client_id=backend&from=${listCursor}`);
      assert.equal((await api(server, 'GET', `/refresh-tokens?user_id=${enc(userId)}&from=${listCursor}`, { token })).status, 200);
    });

    test('POST /refresh-tokens/revoke by ids revokes exactly those tokens, at once', async () => {
      const userId = freshUser();
      const [a, b, c] = [await issueToken(server, { userId }), await issueToken(server, { userId }), await issueToken(server, { userId })];
      const r = await api(server, 'POST', '/refresh-tokens/revoke', { token, body: { ids: [a.id, b.id, 'AAAAAAAAAAAAAAAAAAAAAA'] } });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(r.body, {});
      assert.equal(await refreshWorks(server, a.refreshToken), false);
      assert.equal(await refreshWorks(server, b.refreshToken), false);
      assert.equal(await refreshWorks(server, c.refreshToken), true);
    });

    test('POST /refresh-tokens/revoke by user, user + client, user + client + audience', async () => {
      const userId = freshUser();
      const other = await issueToken(server, { userId: freshUser() });
      const api1 = await issueToken(server, { userId });
      const api2 = await issueToken(server, { userId, audience: OTHER_API, scope: 'openid offline_access other:read' });
      const staticClient = await issueToken(server, { userId, clientId: 'backend-static' });

      let r = await api(server, 'POST', '/refresh-tokens/revoke', { token, body: { user_id: userId, client_id: 'backend', audience: OTHER_API } });
      assert.equal(r.status, 202, r.text);
      assert.equal((await get(api2.id)).status, 404);
      assert.equal((await get(api1.id)).status, 200);
      assert.equal(await refreshWorks(server, api2.refreshToken), false);

      r = await api(server, 'POST', '/refresh-tokens/revoke', { token, body: { user_id: userId, client_id: 'backend' } });
      assert.equal(r.status, 202);
      assert.equal(await refreshWorks(server, api1.refreshToken), false);
      assert.equal((await get(staticClient.id)).status, 200);

      r = await api(server, 'POST', '/refresh-tokens/revoke', { token, body: { user_id: userId } });
      assert.equal(r.status, 202);
      assert.equal(await refreshWorks(server, staticClient.refreshToken, 'backend-static'), false);
      assert.equal(await refreshWorks(server, other.refreshToken), true, "another user's token is untouched");
    });

    test('POST /refresh-tokens/revoke refuses every other combination with 400 invalid_body', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const bodies: unknown[] = [
        {},
        { client_id: 'backend' },
        { audience: API },
        { client_id: 'backend', audience: API },
        { user_id: 'u', audience: API },
        { ids: [t.id], user_id: 'u' },
        { ids: [t.id], client_id: 'backend' },
        { ids: [] },
        { ids: Array.from({ length: 101 }, (_, i) => `id${i}`) },
        { ids: [''] },
        { ids: ['x'.repeat(31)] },
        { ids: 'abc' },
        { ids: [t.id], other: true },
        { user_id: '' },
        { user_id: 5 },
        [],
        'not json',
      ];
      for (const body of bodies) {
        const r = await api<Wire>(server, 'POST', '/refresh-tokens/revoke', { token, body });
        assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)} → ${r.text}`);
        assert.equal(r.body.errorCode, 'invalid_body');
      }
      const noBody = await api<Wire>(server, 'POST', '/refresh-tokens/revoke', { token });
      assert.deepEqual([noBody.status, noBody.body.errorCode], [400, 'invalid_body']);
      assert.equal(await refreshWorks(server, t.refreshToken), true, 'nothing was revoked');
    });

    test('DELETE /users/{user_id}/refresh-tokens revokes every token of that user only', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      const b = await issueToken(server, { userId, clientId: 'backend-static' });
      const other = await issueToken(server, { userId: freshUser() });
      const r = await api(server, 'DELETE', `/users/${enc(userId)}/refresh-tokens`, { token });
      assert.equal(r.status, 202);
      assert.deepEqual(r.body, {});
      assert.equal(await refreshWorks(server, a.refreshToken), false);
      assert.equal(await refreshWorks(server, b.refreshToken, 'backend-static'), false);
      assert.equal(await refreshWorks(server, other.refreshToken), true);
      const list = await api<{ tokens: unknown[]; total: number }>(server, 'GET', `/users/${enc(userId)}/refresh-tokens?include_totals=true`, { token });
      assert.deepEqual(list.body, { tokens: [], total: 0 });
      // A user with nothing (there is no user directory) is accepted the same way.
      assert.equal((await api(server, 'DELETE', `/users/${enc('auth0|never-seen')}/refresh-tokens`, { token })).status, 202);
    });
  });
}
