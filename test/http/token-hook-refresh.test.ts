import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from '../../src/core/logger.js';
import { TokenHookRequestSchema, type TokenHookEvent } from '../../src/hooks/token-hook-schema.js';
import { API } from '../helpers/fixtures.js';
import { hookSettings, startHookServer, type HookReply, type HookServer } from '../helpers/hook-server.js';
import { api, managementToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, INVALID_GRANT, refresh, verifyAccessToken } from '../helpers/tokens.js';

/** A logger that keeps every line, to check what a failure logs (and that no secret is in it). */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

/** A loopback address where nothing listens: connections are refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function metricsText(server: TestServer): Promise<string> {
  return (await fetch(`${server.baseUrl}/metrics`)).text();
}

function hookCount(text: string, event: string, result: string): number {
  const m = new RegExp(`refreshd_token_hook_calls_total\\{event="${event}",result="${result}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

/** The family row as stored, for "nothing was written" comparisons. */
async function row(server: TestServer, token: string) {
  return server.store.findFamily(familyIdOf(token));
}

for (const kind of STORES) {
  describe(`token hook on refresh (${kind})`, () => {
    let hook: HookServer;
    let server: TestServer;
    let logger: ReturnType<typeof recordingLogger>;
    before(async () => {
      hook = await startHookServer();
      logger = recordingLogger();
      server = await startServer(kind, { tokenHook: hookSettings(hook), metrics: true, logger });
    });
    after(async () => {
      await server.close();
      await hook.close();
    });
    beforeEach(() => {
      hook.received.length = 0;
      hook.reply = () => ({ noChange: true });
    });
    const refreshEvents = () => hook.received.filter((e) => e.event === 'refresh');

    test('the refresh event is signed, matches the schema, and names the token, its claims and the request', async () => {
      const issued = await exchange(server, { userId: 'auth0|rev', claims: { tenant: 'acme' }, metadata: { device: 'tablet' } });
      const r = await refresh(server, issued.body.refresh_token!, { scope: 'openid read:data', headers: { 'user-agent': 'RefreshUA/2' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(hook.unverified, 0);
      const [e] = refreshEvents();
      assert.ok(e && Value.Check(TokenHookRequestSchema, e), JSON.stringify(e));
      const fam = await row(server, issued.body.refresh_token!);
      assert.equal(e.user_id, 'auth0|rev');
      assert.equal(e.client_id, 'backend');
      assert.equal(e.audience, API);
      assert.deepEqual(e.scope, { requested: ['openid', 'read:data'], granted: ['openid', 'read:data'] });
      assert.equal(e.session_id, fam?.sessionId);
      assert.deepEqual(e.refresh_token, { id: fam?.id, claims: { tenant: 'acme' }, metadata: { device: 'tablet' }, rotating: true });
      assert.deepEqual(e.access_token, { claims: { tenant: 'acme' } });
      assert.equal(e.idempotency_key, `${fam?.id}.0`);
      assert.equal(e.device.user_agent, 'RefreshUA/2');
      assert.notEqual(e.request_id, e.idempotency_key);
    });

    test('merge: access_token.claims patch this token only (null removes); refresh_token.claims replace the family\'s', async () => {
      const issued = await exchange(server, { userId: 'auth0|merge', claims: { tenant: 'acme', plan: 'free', email: 'a@example.com' } });
      let token = issued.body.refresh_token!;

      hook.reply = () => ({ json: { access_token: { claims: { plan: 'pro', tenant: null, role: 'admin' } } } });
      let r = await refresh(server, token);
      let at = await verifyAccessToken(server, r.body.access_token, API);
      assert.deepEqual([at.plan, at.tenant, at.role, at.email], ['pro', undefined, 'admin', 'a@example.com'], 'claims not named are kept');
      token = r.body.refresh_token!;
      assert.deepEqual({ ...(await row(server, token))?.claims }, { tenant: 'acme', plan: 'free', email: 'a@example.com' }, 'the family keeps its claims');

      hook.reply = () => ({ noChange: true });
      r = await refresh(server, token);
      at = await verifyAccessToken(server, r.body.access_token, API);
      assert.deepEqual([at.plan, at.tenant, at.role, at.email], ['free', 'acme', undefined, 'a@example.com']);
      token = r.body.refresh_token!;

      hook.reply = () => ({ json: { refresh_token: { claims: { tenant: 'umbrella' } } } });
      r = await refresh(server, token);
      at = await verifyAccessToken(server, r.body.access_token, API);
      assert.deepEqual([at.tenant, at.plan, at.email], ['umbrella', undefined, undefined], 'an explicit replacement, asked for');
      token = r.body.refresh_token!;
      hook.reply = () => ({ noChange: true });
      r = await refresh(server, token);
      assert.equal((await verifyAccessToken(server, r.body.access_token, API)).tenant, 'umbrella');
      assert.deepEqual({ ...(await row(server, r.body.refresh_token!))?.claims }, { tenant: 'umbrella' });
    });

    test('metadata from the hook merges as setMetadata does and shows in the Management API', async () => {
      const issued = await exchange(server, { userId: 'auth0|meta', metadata: { device: 'phone', app: '1.0' } });
      hook.reply = () => ({ json: { refresh_token: { metadata: { app: '2.0', device: null, risk: 'low' } } } });
      const r = await refresh(server, issued.body.refresh_token!);
      assert.equal(r.status, 200, r.text);
      const got = await api(server, 'GET', `/refresh-tokens/${familyIdOf(r.body.refresh_token!)}`, { token: await managementToken(server) });
      assert.deepEqual(got.body.refresh_token_metadata, { app: '2.0', risk: 'low' });
    });

    test('deny: 403 access_denied with the reason and a fertft event; the token is untouched and works once the hook allows', async () => {
      const issued = await exchange(server, { userId: 'auth0|deny' });
      const token = issued.body.refresh_token!;
      const before = await row(server, token);
      server.clock.advanceSeconds(5);
      hook.reply = () => ({ json: { deny: 'Account suspended' } });
      const denied = await refresh(server, token);
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { error: 'access_denied', error_description: 'Account suspended' });
      assert.deepEqual(await row(server, token), before, 'nothing written: generation, digests, last exchange, device');
      const e = server.events.find((x) => x.type === 'fertft' && x.userId === 'auth0|deny');
      assert.deepEqual(e?.details, { failure_reason: 'hook_denied', reason: 'Account suspended', familyId: before?.id, latestCounter: 0, tokenCounter: 0 });

      hook.reply = () => ({ noChange: true });
      const again = await refresh(server, token);
      assert.equal(again.status, 200, again.text);
      assert.equal((await row(server, token))?.generation, 1);
    });

    test('revoke: the family is revoked (srrt with the reason), the client gets invalid_grant, and the hook is not asked again', async () => {
      const issued = await exchange(server, { userId: 'auth0|revoke' });
      const token = issued.body.refresh_token!;
      hook.reply = () => ({ json: { revoke: 'password changed' } });
      const r = await refresh(server, token);
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, INVALID_GRANT);
      const fam = await row(server, token);
      assert.notEqual(fam?.revokedAt, null);
      assert.equal(fam?.revokedReason, 'token_hook');
      assert.equal(fam?.generation, 0);
      const srrt = server.events.find((x) => x.type === 'srrt' && x.userId === 'auth0|revoke');
      assert.equal(srrt?.details?.reason, 'password changed');
      assert.equal(srrt?.details?.credential_id, fam?.id);
      const calls = refreshEvents().length;
      hook.reply = () => ({ noChange: true });
      assert.deepEqual((await refresh(server, token)).body, INVALID_GRANT);
      assert.equal(refreshEvents().length, calls, 'a dead token is refused before the hook');
    });

    test('a leeway retry gets the same successor with the same claims, without calling the hook again', async () => {
      const issued = await exchange(server, { clientId: 'backend-leeway', userId: 'auth0|leeway', claims: { tenant: 'acme' } });
      const t0 = issued.body.refresh_token!;
      let n = 0;
      hook.reply = () => ({ json: { access_token: { claims: { answer: ++n } } } });
      const first = await refresh(server, t0, { clientId: 'backend-leeway' });
      assert.equal(first.status, 200, first.text);
      server.clock.advanceSeconds(10);
      const retry = await refresh(server, t0, { clientId: 'backend-leeway' });
      assert.equal(retry.status, 200, retry.text);
      assert.equal(retry.body.refresh_token, first.body.refresh_token);
      const a = await verifyAccessToken(server, first.body.access_token, API);
      const b = await verifyAccessToken(server, retry.body.access_token, API);
      assert.deepEqual([b.answer, b.tenant], [1, 'acme']);
      assert.deepEqual([a.answer, a.tenant], [1, 'acme']);
      assert.equal(refreshEvents().length, 1, 'one rotation, one hook call');
      // The next rotation asks the hook again and stores its own answer.
      const next = await refresh(server, first.body.refresh_token!, { clientId: 'backend-leeway' });
      assert.equal((await verifyAccessToken(server, next.body.access_token, API)).answer, 2);
    });

    test('requests racing with one token inside the leeway all get the winner\'s successor and claims', async () => {
      const issued = await exchange(server, { clientId: 'backend-leeway', userId: 'auth0|race', claims: { tenant: 'acme' } });
      let n = 0;
      hook.reply = () => ({ json: { access_token: { claims: { answer: ++n } } } });
      const results = await Promise.all(Array.from({ length: 4 }, () => refresh(server, issued.body.refresh_token!, { clientId: 'backend-leeway' })));
      for (const r of results) assert.equal(r.status, 200, r.text);
      assert.equal(new Set(results.map((r) => r.body.refresh_token)).size, 1, 'one lineage');
      const answers = await Promise.all(results.map(async (r) => (await verifyAccessToken(server, r.body.access_token, API)).answer));
      assert.equal(new Set(answers).size, 1, `one set of claims, got ${answers.join(',')}`);
      // Racers may each have asked, under the same idempotency key; only one answer was used.
      assert.equal(new Set(refreshEvents().map((e) => e.idempotency_key)).size, 1);
    });

    test('a non-rotating client gets the hook too; a deny leaves its token as it was', async () => {
      const issued = await exchange(server, { clientId: 'backend-static', userId: 'auth0|static', claims: { tenant: 'a' } });
      const token = issued.body.refresh_token!;
      hook.reply = () => ({ json: { access_token: { claims: { extra: true } } } });
      const r = await refresh(server, token, { clientId: 'backend-static' });
      assert.deepEqual([(await verifyAccessToken(server, r.body.access_token, API)).extra, r.body.refresh_token], [true, undefined]);
      const before = await row(server, token);
      hook.reply = () => ({ json: { deny: 'no' } });
      assert.equal((await refresh(server, token, { clientId: 'backend-static' })).status, 403);
      assert.deepEqual(await row(server, token), before);
    });

    test('logs of hook failures name the reason and never the secret', async () => {
      const issued = await exchange(server, { userId: 'auth0|log' });
      hook.reply = () => ({ status: 500, text: 'boom' });
      assert.equal((await refresh(server, issued.body.refresh_token!)).status, 503);
      const line = logger.lines.find((l) => l.includes('"reason":"http_5xx"'));
      assert.ok(line, logger.lines.join('\n'));
      assert.ok(!logger.lines.some((l) => l.includes(hook.secret) || l.includes(hook.secret.slice(6))));
    });
  });

  describe(`token hook failures under both policies (${kind})`, () => {
    let hook: HookServer;
    let target: HookServer;
    let hanging: HookServer;
    const servers: Record<'deny' | 'allow', TestServer> = {} as never;
    const slow: Record<'deny' | 'allow', TestServer> = {} as never;
    const refused: Record<'deny' | 'allow', TestServer> = {} as never;
    before(async () => {
      [hook, target, hanging] = await Promise.all([startHookServer(), startHookServer(), startHookServer()]);
      hanging.reply = () => ({ hang: true });
      const nowhere = { url: `http://127.0.0.1:${await closedPort()}/hook`, secret: hook.secret };
      for (const onFailure of ['deny', 'allow'] as const) {
        servers[onFailure] = await startServer(kind, { tokenHook: hookSettings(hook, { onFailure }), metrics: true });
        // These hooks never work, so they are asked on refresh only (issuance must succeed to have a token).
        slow[onFailure] = await startServer(kind, { tokenHook: hookSettings(hanging, { onFailure, timeoutMs: 150, events: ['refresh'] }), metrics: true });
        refused[onFailure] = await startServer(kind, { tokenHook: hookSettings(nowhere, { onFailure, events: ['refresh'] }), metrics: true });
      }
    });
    after(async () => {
      for (const s of [...Object.values(servers), ...Object.values(slow), ...Object.values(refused)]) await s.close();
      await Promise.all([hook.close(), target.close(), hanging.close()]);
    });

    const modes: { name: string; result: string; reply?: (e: TokenHookEvent) => HookReply; via?: 'slow' | 'refused' }[] = [
      { name: 'a 5xx', result: 'http_5xx', reply: () => ({ status: 503, text: 'down' }) },
      { name: 'a 4xx', result: 'http_status', reply: () => ({ status: 404, text: 'not here' }) },
      { name: 'garbage instead of JSON', result: 'invalid_response', reply: () => ({ status: 200, text: '{"access_token": {', headers: { 'content-type': 'application/json' } }) },
      { name: 'an answer outside the schema', result: 'invalid_response', reply: () => ({ json: { access_token: { claims: { sub: 'root' } }, extra: 1 } }) },
      { name: 'deny and revoke at once', result: 'invalid_response', reply: () => ({ json: { deny: 'a', revoke: 'b' } }) },
      { name: 'an oversized answer', result: 'too_large', reply: () => ({ json: { access_token: { claims: { blob: 'x'.repeat(70_000) } } } }) },
      { name: 'a redirect (never followed)', result: 'redirect', reply: () => ({ status: 307, headers: { location: target.url } }) },
      { name: 'no answer within timeout_ms', result: 'timeout', via: 'slow' },
      { name: 'a refused connection', result: 'connection', via: 'refused' },
    ];

    for (const mode of modes) {
      test(`${mode.name}: deny answers 503 and leaves the token as it was; allow refreshes without the hook`, async () => {
        const pick = mode.via === 'slow' ? slow : mode.via === 'refused' ? refused : servers;
        for (const policy of ['deny', 'allow'] as const) {
          const server = pick[policy];
          hook.reply = () => ({ noChange: true });
          const issued = await server.refreshd.issue({ clientId: 'backend', userId: `auth0|fail-${policy}`, audience: API, scope: 'openid offline_access', claims: { tenant: 't' } });
          const token = issued.response.refresh_token!;
          hook.reply = mode.reply ?? (() => ({ noChange: true }));
          const before = await server.store.findFamily(familyIdOf(token));
          const countBefore = hookCount(await metricsText(server), 'refresh', mode.result);
          const r = await refresh(server, token);
          if (policy === 'deny') {
            assert.equal(r.status, 503, `${policy}: ${r.text}`);
            assert.deepEqual(r.body, { error: 'temporarily_unavailable', error_description: 'The token hook is unavailable; retry shortly.' });
            assert.equal(r.headers.get('retry-after'), '1');
            assert.deepEqual(await server.store.findFamily(familyIdOf(token)), before, 'the token is exactly as it was');
            assert.ok(server.events.some((e) => e.type === 'fertft' && e.details?.failure_reason === 'hook_failed' && e.details?.hook_failure === mode.result));
          } else {
            assert.equal(r.status, 200, `${policy}: ${r.text}`);
            assert.equal((await verifyAccessToken(server, r.body.access_token, API)).tenant, 't', 'the family\'s claims, untouched by the failed hook');
            assert.equal((await server.store.findFamily(familyIdOf(token)))?.generation, 1);
          }
          assert.equal(hookCount(await metricsText(server), 'refresh', mode.result), countBefore + 1, `counted as ${mode.result}`);
        }
        if (mode.result === 'redirect') assert.equal(target.received.length, 0, 'the redirect target never got the signed event');
        hook.reply = () => ({ noChange: true });
      });
    }

    test('under deny, a token refused for a failure works as soon as the hook answers again', async () => {
      const server = servers.deny;
      hook.reply = () => ({ noChange: true });
      const token = (await server.refreshd.issue({ clientId: 'backend', userId: 'auth0|recover', audience: API, scope: 'openid offline_access' })).response.refresh_token!;
      hook.reply = () => ({ status: 502 });
      assert.equal((await refresh(server, token)).status, 503);
      hook.reply = () => ({ noChange: true });
      assert.equal((await refresh(server, token)).status, 200);
    });
  });

  describe(`token hook as a library function (${kind})`, () => {
    test('the same decisions and failure policy as over HTTP', async () => {
      const calls: TokenHookEvent[] = [];
      let decide: (e: TokenHookEvent) => unknown = () => undefined;
      const server = await startServer(kind, {
        tokenHook: { fn: async (e) => (calls.push(e), decide(e) as never), policy: { onFailure: 'deny' } },
      });
      try {
        const { response } = await server.refreshd.issue({ clientId: 'backend', userId: 'lib', audience: API, scope: 'openid offline_access', claims: { tenant: 'x' } });
        decide = () => ({ access_token: { claims: { role: 'admin' } } });
        const r = await server.refreshd.refresh({ clientId: 'backend', refreshToken: response.refresh_token! });
        const at = await verifyAccessToken(server, r.response.access_token, API);
        assert.deepEqual([at.tenant, at.role], ['x', 'admin']);
        decide = () => ({ deny: 'nope' });
        await assert.rejects(server.refreshd.refresh({ clientId: 'backend', refreshToken: r.response.refresh_token! }), { error: 'access_denied', description: 'nope' });
        decide = () => {
          throw new Error('database of the app is down');
        };
        await assert.rejects(server.refreshd.refresh({ clientId: 'backend', refreshToken: r.response.refresh_token! }), { error: 'temporarily_unavailable' });
        decide = () => ({ access_token: { claims: { iss: 'evil' } } });
        await assert.rejects(server.refreshd.refresh({ clientId: 'backend', refreshToken: r.response.refresh_token! }), { error: 'temporarily_unavailable' });
        decide = () => null;
        const ok = await server.refreshd.refresh({ clientId: 'backend', refreshToken: r.response.refresh_token! });
        assert.equal(ok.kind, 'rotated');
        assert.deepEqual(calls.map((c) => c.event), ['issuance', 'refresh', 'refresh', 'refresh', 'refresh', 'refresh']);
      } finally {
        await server.close();
      }
    });
  });
}
