import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { exchange, familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

const revoke = (server: TestServer, token: string, clientId = 'backend', json = false) =>
  post(server, '/oauth/revoke', { client_id: clientId, client_secret: secretOf(clientId), token }, { json });

for (const kind of STORES) {
  describe(`POST /oauth/revoke (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('revoking a token answers 200 with an empty body and kills its whole family', async () => {
      const t0 = await issueRefreshToken(server);
      const t1 = (await refresh(server, t0)).body.refresh_token!;
      const r = await revoke(server, t1);
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.deepEqual((await refresh(server, t1)).body, INVALID_GRANT);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedReason, 'revoked_by_client');
      assert.ok(server.events.some((e) => e.type === 'srrt' && e.details?.credential_id === fam?.id));
    });

    test('JSON bodies are accepted (the legacy Auth0 SDK sends JSON)', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal((await revoke(server, t0, 'backend', true)).status, 200);
      assert.equal((await refresh(server, t0)).status, 403);
    });

    test('unknown and malformed tokens get the same 200', async () => {
      for (const token of ['rfd_rt_nope', 'x'.repeat(300), (await issueRefreshToken(server)).replace(/.$/, 'A')]) {
        const r = await revoke(server, token);
        assert.equal(r.status, 200);
        assert.equal(r.text, '');
      }
    });

    test('a token of another client answers 200 but is not revoked', async () => {
      const t0 = await issueRefreshToken(server);
      const r = await revoke(server, t0, 'backend-static');
      assert.equal(r.status, 200);
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('revocation requires client authentication and a token', async () => {
      const t0 = await issueRefreshToken(server);
      const bad = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: 'wrong-secret-wrong-secret-wrong-secret', token: t0 });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error, 'invalid_client');
      assert.equal((await refresh(server, t0)).status, 200);
      const missing = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend') });
      assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
    });

    test('token_type_hint is read only after client authentication', async () => {
      const t0 = await issueRefreshToken(server);
      for (const token_type_hint of ['refresh_token', 'access_token', 'id_token', 'nonsense']) {
        const r = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: 'wrong-secret-wrong-secret-wrong-secret', token: t0, token_type_hint });
        assert.deepEqual([r.status, r.body.error], [401, 'invalid_client'], token_type_hint);
      }
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('RFC 7009 §2.1: the hint never decides; an unknown or wrong hint still revokes the refresh token', async () => {
      for (const token_type_hint of ['nonsense', 'access_token', 'refresh_token']) {
        const t0 = await issueRefreshToken(server);
        const r = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend'), token: t0, token_type_hint });
        assert.deepEqual([r.status, r.text], [200, ''], token_type_hint);
        assert.equal((await refresh(server, t0)).status, 403, token_type_hint);
      }
    });

    test('RFC 7009 §2.2.1: an access token refreshd issued is 400 unsupported_token_type (expired too); a foreign JWT is 200', async () => {
      const issued = await exchange(server);
      const now = server.clock.now();
      server.clock.set(now - 2 * 86_400_000);
      const expired = (await exchange(server)).body.access_token;
      server.clock.set(now);
      for (const [token, hint] of [[issued.body.access_token, 'access_token'], [issued.body.access_token, undefined], [expired, 'refresh_token']] as const) {
        const r = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend'), token, ...(hint ? { token_type_hint: hint } : {}) });
        assert.deepEqual([r.status, r.body.error], [400, 'unsupported_token_type'], String(hint));
        assert.equal(r.headers.get('cache-control'), 'no-store');
      }
      // Signed by someone else (or tampered): not ours, so an invalid token, answered 200 like any other.
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT({ scope: 'read:data' }).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(issued.body.access_token).kid! }).setIssuer(server.issuer).sign(privateKey);
      const [header, payload, signature] = issued.body.access_token.split('.');
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), scope: 'admin' })).toString('base64url');
      const tampered = `${header}.${widened}.${signature}`;
      for (const token of [foreign, tampered]) {
        assert.equal((await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend'), token })).status, 200);
      }
      // The refresh token issued beside the access token was untouched by all of this.
      assert.equal((await refresh(server, issued.body.refresh_token!)).status, 200);
    });

    test('a public client revokes its own token with its client_id alone', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const r = await post(server, '/oauth/revoke', { client_id: 'spa', token: t0 });
      assert.equal(r.status, 200);
      assert.equal((await refresh(server, t0, { clientId: 'spa', publicClient: true })).status, 403);
    });
  });
}
