import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, envelopeOf, freshUser, issueToken, managementToken, refreshWorks } from '../../helpers/management.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';

type Wire = Record<string, unknown>;
const NOT_FOUND = envelopeOf(404, 'inexistent_session', 'The session does not exist.');
const iso = (ms: number) => new Date(ms).toISOString();
const enc = encodeURIComponent;

for (const kind of STORES) {
  describe(`Management API: sessions (${kind})`, () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startServer(kind);
      token = await managementToken(server);
    });
    after(() => server.close());

    const get = (id: string) => api<Wire>(server, 'GET', `/sessions/${enc(id)}`, { token });
    const sessionsOf = async (userId: string) => {
      const r = await api<{ sessions: Wire[] }>(server, 'GET', `/users/${enc(userId)}/sessions`, { token });
      assert.equal(r.status, 200, r.text);
      return r.body.sessions.map((s) => s.id);
    };

    test('GET shows the session as Auth0 does, with every client that used it and where from', async () => {
      const userId = freshUser();
      const createdAt = server.clock.now();
      const t = await issueToken(server, { userId, headers: { 'user-agent': 'first-agent', 'auth0-forwarded-for': '192.0.2.10' } });
      server.clock.advanceSeconds(3);
      const joinedAt = server.clock.now();
      // A second client joins the same session (token exchange with session_id).
      await issueToken(server, { userId, clientId: 'backend-static', sessionId: t.sessionId, headers: { 'user-agent': 'second-agent' } });

      const r = await get(t.sessionId);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, {
        id: t.sessionId,
        user_id: userId,
        created_at: iso(createdAt),
        updated_at: iso(joinedAt),
        authenticated_at: iso(createdAt),
        idle_expires_at: null,
        expires_at: null,
        last_interacted_at: iso(joinedAt),
        device: {
          initial_user_agent: 'first-agent',
          initial_ip: '192.0.2.10',
          initial_asn: '',
          last_user_agent: 'second-agent',
          // backend-static does not trust auth0-forwarded-for: the connection's own address is recorded.
          last_ip: r.body.device && (r.body.device as Wire).last_ip,
          last_asn: '',
        },
        clients: [{ client_id: 'backend' }, { client_id: 'backend-static' }],
        authentication: { methods: [] },
        session_metadata: {},
      });
      assert.match(String((r.body.device as Wire).last_ip), /127\.0\.0\.1$/);
    });

    test('unknown sessions are 404 for GET, PATCH and revoke', async () => {
      const missing = 'AAAAAAAAAAAAAAAAAAAAAA';
      let r = await get(missing);
      assert.deepEqual([r.status, r.body], [404, NOT_FOUND]);
      r = await api<Wire>(server, 'PATCH', `/sessions/${missing}`, { token, body: { session_metadata: {} } });
      assert.deepEqual([r.status, r.body], [404, NOT_FOUND]);
      r = await api<Wire>(server, 'POST', `/sessions/${missing}/revoke`, { token });
      assert.deepEqual([r.status, r.body], [404, NOT_FOUND]);
    });

    test('PATCH replaces session_metadata whole, {} and null clear it, and updated_at moves', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      server.clock.advanceSeconds(2);
      const at = server.clock.now();
      let r = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: { app: 'web', plan: 'pro' } } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.session_metadata, { app: 'web', plan: 'pro' });
      assert.equal(r.body.updated_at, iso(at));
      assert.equal(r.body.id, t.sessionId);
      r = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: { plan: 'free' } } });
      assert.deepEqual(r.body.session_metadata, { plan: 'free' });
      assert.deepEqual((await get(t.sessionId)).body.session_metadata, { plan: 'free' });
      r = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: null } });
      assert.deepEqual(r.body.session_metadata, {});
      await api(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: { a: 'b' } } });
      r = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: {} } });
      assert.deepEqual(r.body.session_metadata, {});
    });

    test('PATCH refuses other fields, wrong types and limits with 400 invalid_body', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const many: Record<string, string> = {};
      for (let i = 0; i < 26; i++) many[`k${i}`] = 'v';
      for (const body of [
        {},
        { refresh_token_metadata: {} },
        { session_metadata: {}, extra: 1 },
        { session_metadata: 'x' },
        { session_metadata: many },
        { session_metadata: { 'a b': 'c' } },
        { session_metadata: { a: 'x'.repeat(256) } },
        { session_metadata: { a: 2 } },
        '{"session_metadata":{"__proto__":"x"}}',
      ]) {
        const r = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body });
        assert.deepEqual([r.status, r.body.errorCode], [400, 'invalid_body'], JSON.stringify(body));
      }
    });

    test('DELETE deletes the session but, as on Auth0, leaves its refresh tokens usable; unknown ids are accepted', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const r = await api(server, 'DELETE', `/sessions/${t.sessionId}`, { token });
      assert.equal(r.status, 202);
      assert.deepEqual(r.body, {});
      assert.equal((await get(t.sessionId)).status, 404);
      assert.equal(await refreshWorks(server, t.refreshToken), true);
      assert.equal((await api(server, 'DELETE', `/sessions/${t.sessionId}`, { token })).status, 202);
    });

    test('POST /sessions/{id}/revoke ends the session and its refresh tokens at once, and nothing else', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      const a2 = await issueToken(server, { userId, clientId: 'backend-static', sessionId: a.sessionId });
      const b = await issueToken(server, { userId });
      const r = await api(server, 'POST', `/sessions/${a.sessionId}/revoke`, { token });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(r.body, {});
      assert.equal((await get(a.sessionId)).status, 404);
      assert.equal(await refreshWorks(server, a.refreshToken), false);
      assert.equal(await refreshWorks(server, a2.refreshToken, 'backend-static'), false);
      assert.equal(await refreshWorks(server, b.refreshToken), true);
      assert.equal((await get(b.sessionId)).status, 200);
      const event = server.events.find((e) => e.type === 'sapi' && e.details?.session_id === a.sessionId && e.description === 'Revoke a session');
      assert.equal(event?.details?.revoked_refresh_tokens, 2);
    });

    test('GET /users/{user_id}/sessions pages in creation order with totals', async () => {
      const userId = freshUser();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await issueToken(server, { userId })).sessionId);
        server.clock.advance(1);
      }
      await issueToken(server, { userId: freshUser() });
      const p1 = await api<{ sessions: Wire[]; next?: string; total?: number }>(server, 'GET', `/users/${enc(userId)}/sessions?take=2&include_totals=true`, { token });
      assert.equal(p1.status, 200, p1.text);
      assert.deepEqual(p1.body.sessions.map((s) => s.id), ids.slice(0, 2));
      assert.equal(p1.body.total, 3);
      const p2 = await api<{ sessions: Wire[]; next?: string }>(server, 'GET', `/users/${enc(userId)}/sessions?take=2&from=${enc(p1.body.next ?? '')}`, { token });
      assert.deepEqual(p2.body.sessions.map((s) => s.id), ids.slice(2));
      assert.equal('next' in p2.body, false);
      assert.equal('total' in p2.body, false);
      assert.deepEqual(p1.body.sessions[0], (await get(ids[0]!)).body);
      const empty = await api<Wire>(server, 'GET', `/users/${enc('auth0|nobody')}/sessions`, { token });
      assert.deepEqual(empty.body, { sessions: [] });
    });

    test('DELETE /users/{user_id}/sessions deletes that user’s sessions only; refresh tokens stay', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      await issueToken(server, { userId });
      const other = await issueToken(server, { userId: freshUser() });
      const r = await api(server, 'DELETE', `/users/${enc(userId)}/sessions`, { token });
      assert.equal(r.status, 202);
      assert.deepEqual(await sessionsOf(userId), []);
      assert.equal((await get(other.sessionId)).status, 200);
      assert.equal(await refreshWorks(server, a.refreshToken), true);
    });

    test('revoke-access with session_id ends that session and its tokens; other sessions live on', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      const b = await issueToken(server, { userId });
      const r = await api(server, 'POST', `/users/${enc(userId)}/revoke-access`, { token, body: { session_id: a.sessionId } });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(r.body, {});
      assert.equal((await get(a.sessionId)).status, 404);
      assert.equal(await refreshWorks(server, a.refreshToken), false);
      assert.equal((await get(b.sessionId)).status, 200);
      assert.equal(await refreshWorks(server, b.refreshToken), true);
    });

    test('revoke-access with preserve_refresh_tokens ends the session but keeps its tokens', async () => {
      const userId = freshUser();
      const a = await issueToken(server, { userId });
      const r = await api(server, 'POST', `/users/${enc(userId)}/revoke-access`, { token, body: { session_id: a.sessionId, preserve_refresh_tokens: true } });
      assert.equal(r.status, 202);
      assert.equal((await get(a.sessionId)).status, 404);
      assert.equal(await refreshWorks(server, a.refreshToken), true);
    });

    test('revoke-access without a session ends every session and every token of the user (a bodiless POST too)', async () => {
      for (const body of [{}, undefined]) {
        const userId = freshUser();
        const a = await issueToken(server, { userId });
        const b = await issueToken(server, { userId, clientId: 'backend-static' });
        const other = await issueToken(server, { userId: freshUser() });
        const r = await api(server, 'POST', `/users/${enc(userId)}/revoke-access`, { token, ...(body ? { body } : {}) });
        assert.equal(r.status, 202, r.text);
        assert.deepEqual(await sessionsOf(userId), []);
        assert.equal(await refreshWorks(server, a.refreshToken), false);
        assert.equal(await refreshWorks(server, b.refreshToken, 'backend-static'), false);
        assert.equal(await refreshWorks(server, other.refreshToken), true);
        assert.equal((await get(other.sessionId)).status, 200);
      }
    });

    test("revoke-access naming another user's session touches nothing of theirs", async () => {
      const victim = await issueToken(server, { userId: freshUser() });
      const r = await api(server, 'POST', `/users/${enc(freshUser())}/revoke-access`, { token, body: { session_id: victim.sessionId } });
      assert.equal(r.status, 202);
      assert.equal((await get(victim.sessionId)).status, 200);
      assert.equal(await refreshWorks(server, victim.refreshToken), true);
    });

    test('revoke-access refuses unknown fields and wrong types with 400 invalid_body', async () => {
      const userId = freshUser();
      const t = await issueToken(server, { userId });
      for (const body of [{ session: 'x' }, { session_id: 5 }, { preserve_refresh_tokens: 'yes' }, { session_id: 'x'.repeat(51) }, [], 'x']) {
        const r = await api<Wire>(server, 'POST', `/users/${enc(userId)}/revoke-access`, { token, body });
        assert.deepEqual([r.status, r.body.errorCode], [400, 'invalid_body'], JSON.stringify(body));
      }
      assert.equal(await refreshWorks(server, t.refreshToken), true);
    });
  });
}
