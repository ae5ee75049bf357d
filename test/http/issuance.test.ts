import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { ACCESS_TOKEN_TYPE } from '../../src/core/types.js';
import { API, ED_API, ES_API, NO_OFFLINE_API } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, refresh, verifyAccessToken } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`issuance by token exchange (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a trusted backend gets an access token and a prefixed refresh token for a user', async () => {
      const r = await exchange(server, { userId: 'auth0|alice' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.body.token_type, 'Bearer');
      assert.equal(r.body.issued_token_type, ACCESS_TOKEN_TYPE);
      assert.equal(r.body.expires_in, 3600);
      assert.equal(r.body.scope, 'openid offline_access read:data write:data');
      assert.match(r.body.refresh_token ?? '', /^rfd_rt_[A-Za-z0-9_-]{92}$/);

      const claims = await verifyAccessToken(server, r.body.access_token, API);
      assert.equal(claims.sub, 'auth0|alice');
      assert.equal(claims.azp, 'backend');
      assert.equal(claims.scope, 'openid offline_access read:data write:data');
      assert.equal(claims.iss, server.issuer);
      assert.equal(typeof claims.jti, 'string');
      assert.equal(typeof claims.sid, 'string');
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
      assert.equal(decodeProtectedHeader(r.body.access_token).alg, 'RS256');

      const session = await server.store.findSession(claims.sid as string);
      assert.equal(session?.userId, 'auth0|alice');
      assert.deepEqual(session?.clients, ['backend']);
    });

    test('JSON bodies work like form bodies', async () => {
      const form = await exchange(server);
      assert.equal(form.status, 200);
      const r = await fetch(`${server.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'backend', client_secret: 'backend-secret-0123456789abcdefghijklmnop', refresh_token: form.body.refresh_token }),
      });
      assert.equal(r.status, 200);
      assert.match(((await r.json()) as { refresh_token: string }).refresh_token, /^rfd_rt_/);
    });

    test('no offline_access means no refresh token', async () => {
      const r = await exchange(server, { scope: 'openid read:data' });
      assert.equal(r.status, 200);
      assert.equal(r.body.refresh_token, undefined);
      assert.equal(r.body.scope, 'openid read:data');
    });

    test('an API that does not allow offline access gets no refresh token, and offline_access is dropped', async () => {
      const r = await exchange(server, { audience: NO_OFFLINE_API });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.refresh_token, undefined);
      assert.equal(r.body.scope, 'openid read:data');
    });

    test('a client without the refresh_token grant gets no refresh token', async () => {
      const r = await exchange(server, { clientId: 'no-refresh' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.refresh_token, undefined);
    });

    test('scopes the API does not define are not granted', async () => {
      const r = await exchange(server, { scope: 'offline_access read:data admin:everything' });
      assert.equal(r.body.scope, 'offline_access read:data');
    });

    test('an unknown audience is refused with access_denied', async () => {
      const r = await exchange(server, { audience: 'https://nowhere.example.com' });
      assert.equal(r.status, 403);
      assert.equal(r.body.error, 'access_denied');
    });

    test('the Management API cannot be a user token audience', async () => {
      const r = await exchange(server, { audience: server.refreshd.managementAudience });
      assert.equal(r.status, 403);
      assert.equal(r.body.error, 'access_denied');
    });

    test('session_id attaches to the existing session; another user\'s session is refused', async () => {
      const first = await exchange(server, { userId: 'auth0|bob' });
      const sid = (await verifyAccessToken(server, first.body.access_token, API)).sid as string;
      const second = await exchange(server, { userId: 'auth0|bob', clientId: 'backend-static', sessionId: sid });
      assert.equal(second.status, 200, second.text);
      assert.equal((await verifyAccessToken(server, second.body.access_token, API)).sid, sid);
      const session = await server.store.findSession(sid);
      assert.deepEqual(session?.clients, ['backend', 'backend-static']);
      const fam = await server.store.findFamily(familyIdOf(second.body.refresh_token!));
      assert.equal(fam?.sessionId, sid);

      const other = await exchange(server, { userId: 'auth0|mallory', sessionId: sid });
      assert.equal(other.status, 400);
      assert.equal(other.body.error, 'invalid_request');
      const unknown = await exchange(server, { userId: 'auth0|bob', sessionId: 'does-not-exist' });
      assert.equal(unknown.status, 400);
    });

    test('ES256 and EdDSA are selectable per API and verify against the JWKS', async () => {
      for (const [audience, alg] of [[ES_API, 'ES256'], [ED_API, 'EdDSA']] as const) {
        const r = await exchange(server, { audience, scope: 'offline_access read:data' });
        assert.equal(r.status, 200, r.text);
        assert.equal(decodeProtectedHeader(r.body.access_token).alg, alg);
        await verifyAccessToken(server, r.body.access_token, audience);
        const again = await refresh(server, r.body.refresh_token!);
        assert.equal(decodeProtectedHeader(again.body.access_token).alg, alg);
      }
      const jwks = await server.refreshd.keys.jwks();
      assert.deepEqual(new Set(jwks.keys.map((k) => k.alg)), new Set(['RS256', 'ES256', 'EdDSA']));
    });

    test('the device records the trusted auth0-forwarded-for IP and the User-Agent', async () => {
      const r = await exchange(server, { headers: { 'auth0-forwarded-for': '203.0.113.7', 'user-agent': 'Phone/1.0' } });
      const fam = await server.store.findFamily(familyIdOf(r.body.refresh_token!));
      assert.equal(fam?.device.initialIp, '203.0.113.7');
      assert.equal(fam?.device.initialUserAgent, 'Phone/1.0');
      // backend-static does not trust the header: the connection address is used instead.
      const untrusted = await exchange(server, { clientId: 'backend-static', headers: { 'auth0-forwarded-for': '203.0.113.7' } });
      const fam2 = await server.store.findFamily(familyIdOf(untrusted.body.refresh_token!));
      assert.equal(fam2?.device.initialIp, '127.0.0.1');
    });

    test('a backend can issue tokens to a public client it lists with target_client_id', async () => {
      const r = await exchange(server, { targetClientId: 'spa' });
      assert.equal(r.status, 200, r.text);
      const claims = await verifyAccessToken(server, r.body.access_token, API);
      assert.equal(claims.azp, 'spa');
      const fam = await server.store.findFamily(familyIdOf(r.body.refresh_token!));
      assert.equal(fam?.clientId, 'spa');
      const unknown = await exchange(server, { targetClientId: 'ghost-spa' });
      assert.deepEqual([unknown.status, unknown.body.error], [400, 'invalid_request'], 'listed but not a client');
      const unlisted = await exchange(server, { targetClientId: 'nope' });
      assert.deepEqual([unlisted.status, unlisted.body.error], [403, 'unauthorized_client']);
    });

    test('target_client_id cannot name a confidential client: one backend never mints tokens in another\'s name', async () => {
      // Listed while it was public, then made confidential (the configuration file refuses to list a confidential one).
      const spa = await server.store.findClient('spa');
      await server.store.upsertClient({ ...spa!, clientId: 'ghost-spa', tokenEndpointAuthMethod: 'client_secret_post' });
      server.refreshd.directory.invalidate();
      const r = await exchange(server, { targetClientId: 'ghost-spa' });
      assert.deepEqual([r.status, r.body], [
        400,
        { error: 'invalid_request', error_description: 'target_client_id must name a public client; a confidential client obtains its own tokens.' },
      ]);
      const self = await exchange(server, { targetClientId: 'backend' });
      assert.equal(self.status, 200, 'naming itself is the same as naming no target');
    });
  });
}

