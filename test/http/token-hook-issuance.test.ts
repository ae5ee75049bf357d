import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { TokenHookRequestSchema } from '../../src/hooks/token-hook-schema.js';
import { API } from '../helpers/fixtures.js';
import { hookSettings, startHookServer, type HookServer } from '../helpers/hook-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, refresh, verifyAccessToken } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`token hook at issuance (${kind})`, () => {
    let hook: HookServer;
    let server: TestServer;
    before(async () => {
      hook = await startHookServer();
      server = await startServer(kind, { tokenHook: hookSettings(hook), metrics: true });
    });
    after(async () => {
      await server.close();
      await hook.close();
    });
    beforeEach(() => {
      hook.received.length = 0;
      hook.reply = () => ({ noChange: true });
    });

    test('the hook gets a signed event that verifies with standardwebhooks and matches the documented schema', async () => {
      const r = await exchange(server, {
        userId: 'auth0|hooked',
        claims: { tenant: 'acme' },
        metadata: { device: 'phone' },
        headers: { 'user-agent': 'HookTest/1.0', 'auth0-forwarded-for': '203.0.113.9' },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(hook.unverified, 0);
      assert.equal(hook.received.length, 1);
      const e = hook.received[0]!;
      assert.ok(Value.Check(TokenHookRequestSchema, e), JSON.stringify([...Value.Errors(TokenHookRequestSchema, e)][0]));
      const fam = await server.store.findFamily(familyIdOf(r.body.refresh_token!));
      assert.equal(e.event, 'issuance');
      assert.equal(e.user_id, 'auth0|hooked');
      assert.equal(e.client_id, 'backend');
      assert.equal(e.audience, API);
      assert.deepEqual(e.scope, { requested: ['openid', 'offline_access', 'read:data', 'write:data'], granted: ['openid', 'offline_access', 'read:data', 'write:data'] });
      assert.equal(e.session_id, fam?.sessionId);
      assert.deepEqual(e.access_token, { claims: { tenant: 'acme' } });
      assert.deepEqual(e.refresh_token, { id: fam?.id, claims: { tenant: 'acme' }, metadata: { device: 'phone' }, rotating: true });
      assert.deepEqual(e.device, { ip: '203.0.113.9', user_agent: 'HookTest/1.0' });
      assert.match(e.request_id, /^msg_/);
      assert.equal(e.idempotency_key, e.request_id);
    });

    test('claims from the hook: access_token.claims merge into this token, refresh_token.claims become the family\'s', async () => {
      hook.reply = () => ({
        json: {
          access_token: { claims: { session_only: 'yes', tenant: null } },
          refresh_token: { claims: { tenant: 'hooked-tenant', role: 'admin' }, metadata: { source: 'hook', device: null } },
        },
      });
      const r = await exchange(server, { userId: 'auth0|merge', claims: { tenant: 'acme' }, metadata: { device: 'phone', keep: 'me' } });
      assert.equal(r.status, 200, r.text);
      const at = await verifyAccessToken(server, r.body.access_token, API);
      // The family's new claims, with this answer's patch over them: tenant removed, session_only added.
      assert.equal(at.tenant, undefined);
      assert.equal(at.role, 'admin');
      assert.equal(at.session_only, 'yes');
      const fam = await server.store.findFamily(familyIdOf(r.body.refresh_token!));
      assert.deepEqual({ ...fam?.claims }, { tenant: 'hooked-tenant', role: 'admin' });
      assert.deepEqual({ ...fam?.metadata }, { keep: 'me', source: 'hook' });
      // Later tokens carry the family's claims, not the one-off patch.
      hook.reply = () => ({ noChange: true });
      const next = await refresh(server, r.body.refresh_token!);
      const later = await verifyAccessToken(server, next.body.access_token, API);
      assert.equal(later.tenant, 'hooked-tenant');
      assert.equal(later.session_only, undefined);
    });

    test('deny: 403 access_denied with the reason, a fecte event, and nothing written', async () => {
      hook.reply = () => ({ json: { deny: 'User is banned' } });
      const before = await server.store.countFamilies({ userId: 'auth0|banned' }, server.clock.now());
      const r = await exchange(server, { userId: 'auth0|banned' });
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, { error: 'access_denied', error_description: 'User is banned' });
      assert.equal(await server.store.countFamilies({ userId: 'auth0|banned' }, server.clock.now()), before);
      assert.equal((await server.store.listSessions('auth0|banned', { limit: 5 }, server.clock.now())).length, 0);
      assert.ok(server.events.some((e) => e.type === 'fecte' && e.userId === 'auth0|banned' && e.description === 'User is banned'));
    });

    test('deny on an existing session leaves the session untouched', async () => {
      const first = await exchange(server, { userId: 'auth0|sess' });
      const sessionId = (await server.store.findFamily(familyIdOf(first.body.refresh_token!)))!.sessionId!;
      const beforeTouch = await server.store.findSession(sessionId);
      server.clock.advanceSeconds(60);
      hook.reply = () => ({ json: { deny: 'no' } });
      const r = await exchange(server, { userId: 'auth0|sess', sessionId, clientId: 'backend-leeway' });
      assert.equal(r.status, 403);
      assert.deepEqual(await server.store.findSession(sessionId), beforeTouch);
    });

    test('a reason outside RFC 6749\'s error_description characters is fitted to them', async () => {
      hook.reply = () => ({ json: { deny: 'Zugang gesperrt: "Konto" \\ prüfen' } });
      const r = await exchange(server, { userId: 'auth0|umlaut' });
      assert.equal(r.status, 403);
      assert.equal(r.body.error_description, "Zugang gesperrt: 'Konto' / pr?fen");
    });

    test('revoke at issuance refuses like deny (there is no family yet)', async () => {
      hook.reply = () => ({ json: { revoke: 'compromised device' } });
      const r = await exchange(server, { userId: 'auth0|revoke-at-issue' });
      assert.deepEqual(r.body, { error: 'access_denied', error_description: 'compromised device' });
      assert.equal(await server.store.countFamilies({ userId: 'auth0|revoke-at-issue' }, server.clock.now()), 0);
    });

    test('the hook may not set reserved claims: the answer is invalid and on_failure applies (deny: 503, nothing written)', async () => {
      hook.reply = () => ({ json: { access_token: { claims: { sub: 'admin' } } } });
      const r = await exchange(server, { userId: 'auth0|sneaky' });
      assert.equal(r.status, 503, r.text);
      assert.deepEqual(r.body, { error: 'temporarily_unavailable', error_description: 'The token hook is unavailable; retry shortly.' });
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(await server.store.countFamilies({ userId: 'auth0|sneaky' }, server.clock.now()), 0);
      const metrics = await server.metrics!.registry.getSingleMetricAsString('refreshd_token_hook_calls_total');
      assert.match(metrics, /refreshd_token_hook_calls_total\{event="issuance",result="invalid_response"\} [1-9]/);
    });
  });

  describe(`token hook events setting (${kind})`, () => {
    test('a hook configured for refresh only is not called at issuance', async () => {
      const hook = await startHookServer();
      const server = await startServer(kind, { tokenHook: hookSettings(hook, { events: ['refresh'] }) });
      try {
        const r = await exchange(server, { userId: 'auth0|refresh-only', claims: { tenant: 't' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(hook.received.length, 0);
        assert.equal((await verifyAccessToken(server, r.body.access_token, API)).tenant, 't');
      } finally {
        await server.close();
        await hook.close();
      }
    });
  });
}
