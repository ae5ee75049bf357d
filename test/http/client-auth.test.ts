import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { issueRefreshToken, refresh, verifyAccessToken } from '../helpers/tokens.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const kind of STORES) {
  describe(`client authentication (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a wrong secret, an unknown client and a missing client_id are 401 invalid_client', async () => {
      const t0 = await issueRefreshToken(server);
      const cases: Record<string, string>[] = [
        { grant_type: 'refresh_token', client_id: 'backend', client_secret: 'not-the-secret-not-the-secret-xx', refresh_token: t0 },
        { grant_type: 'refresh_token', client_id: 'nobody', client_secret: secretOf('nobody'), refresh_token: t0 },
        { grant_type: 'refresh_token', refresh_token: t0 },
        { grant_type: 'refresh_token', client_id: 'backend', refresh_token: t0 },
      ];
      for (const params of cases) {
        const r = await post(server, '/oauth/token', params);
        assert.deepEqual([r.status, r.body], [401, { error: 'invalid_client', error_description: 'Client authentication failed.' }], JSON.stringify(params));
      }
      assert.equal((await refresh(server, t0)).status, 200, 'failed authentications must not consume the token');
    });

    test('client_secret_basic clients authenticate with the Authorization header only', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-basic', basic: true });
      const ok = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t0 }, { headers: { authorization: basic('backend-basic', secretOf('backend-basic')) } });
      assert.equal(ok.status, 200, ok.text);
      const viaBody = await refresh(server, ok.body.refresh_token as string, { clientId: 'backend-basic' });
      assert.equal(viaBody.status, 401);
      const wrong = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token as string }, { headers: { authorization: basic('backend-basic', 'wrong') } });
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
    });

    test('RFC 6749 §2.3.1: a client_secret_post client may authenticate with HTTP Basic too (a wrong secret still fails)', async () => {
      const t0 = await issueRefreshToken(server);
      const r = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t0 }, { headers: { authorization: basic('backend', secretOf('backend')) } });
      assert.equal(r.status, 200, r.text);
      const wrong = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: r.body.refresh_token as string }, { headers: { authorization: basic('backend', 'not-the-secret-not-the-secret-xx') } });
      assert.deepEqual([wrong.status, wrong.body.error], [401, 'invalid_client']);
      const cc = await post(server, '/oauth/token', { grant_type: 'client_credentials', audience: API }, { headers: { authorization: basic('m2m', secretOf('m2m')) } });
      assert.equal(cc.status, 200, cc.text);
      const revoked = await post(server, '/oauth/revoke', { token: r.body.refresh_token as string }, { headers: { authorization: basic('backend', secretOf('backend')) } });
      assert.equal(revoked.status, 200);
      assert.equal((await refresh(server, r.body.refresh_token as string)).status, 403);
    });

    test('a public client cannot authenticate with Basic', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const r = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t0 }, { headers: { authorization: basic('spa', 'anything-anything-anything-anything') } });
      assert.deepEqual([r.status, r.body.error], [401, 'invalid_client']);
    });

    test('two authentication methods at once is invalid_request, whichever method the client is registered for', async () => {
      for (const clientId of ['backend-basic', 'backend']) {
        const t0 = await issueRefreshToken(server, { clientId, basic: clientId === 'backend-basic' });
        const r = await post(
          server,
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: t0, client_secret: secretOf(clientId) },
          { headers: { authorization: basic(clientId, secretOf(clientId)) } },
        );
        assert.deepEqual([r.status, r.body.error], [400, 'invalid_request'], clientId);
      }
    });

    test('a public client refreshes with its client_id alone; sending a secret fails', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const r = await refresh(server, t0, { clientId: 'spa', publicClient: true });
      assert.equal(r.status, 200, r.text);
      assert.notEqual(r.body.refresh_token, t0);
      const withSecret = await refresh(server, r.body.refresh_token!, { clientId: 'spa' });
      assert.equal(withSecret.status, 401);
    });

    test('public clients cannot use token exchange or client credentials', async () => {
      const r = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'spa', audience: API });
      assert.deepEqual([r.status, r.body.error], [403, 'unauthorized_client']);
    });

    test('a grant the client does not have is 403 unauthorized_client', async () => {
      const r = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'backend', client_secret: secretOf('backend'), audience: API });
      assert.deepEqual([r.status, r.body], [403, { error: 'unauthorized_client', error_description: "Grant type 'client_credentials' not allowed for the client." }]);
    });

    test('client credentials: a token per the client grant, scopes limited to it', async () => {
      const ok = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.scope, 'read:data write:data');
      assert.equal(ok.body.refresh_token, undefined);
      const claims = await verifyAccessToken(server, ok.body.access_token as string, API);
      assert.equal(claims.sub, 'm2m@clients');
      assert.equal(claims.gty, 'client-credentials');
      const narrow = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API, scope: 'read:data' });
      assert.equal(narrow.body.scope, 'read:data');
      const wide = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API, scope: 'admin' });
      assert.deepEqual([wide.status, wide.body.error], [403, 'access_denied']);
      const noGrant = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: server.refreshd.managementAudience });
      assert.deepEqual([noGrant.status, noGrant.body.error], [403, 'access_denied']);
    });
  });
}
