import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API, OTHER_API } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, issueRefreshToken, refresh, verifyAccessToken } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`scope narrowing and multi-resource refresh tokens (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('scope may narrow the access token; the refresh token keeps its full scope', async () => {
      const t0 = await issueRefreshToken(server);
      const narrow = await refresh(server, t0, { scope: 'read:data' });
      assert.equal(narrow.status, 200, narrow.text);
      assert.equal(narrow.body.scope, 'read:data');
      assert.equal((await verifyAccessToken(server, narrow.body.access_token, API)).scope, 'read:data');
      const full = await refresh(server, narrow.body.refresh_token!);
      assert.equal(full.body.scope, 'openid offline_access read:data write:data');
    });

    test('scope may not widen: invalid_scope, and the token is not consumed', async () => {
      const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
      const wide = await refresh(server, t0, { scope: 'read:data write:data' });
      assert.equal(wide.status, 400);
      assert.equal(wide.body.error, 'invalid_scope');
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 0, 'a refused request must not rotate');
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('audience may switch to one the client\'s MRRT policy names, with that policy\'s scopes', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-mrrt', scope: 'openid offline_access read:data' });
      const other = await refresh(server, t0, { clientId: 'backend-mrrt', audience: OTHER_API });
      assert.equal(other.status, 200, other.text);
      assert.equal(other.body.scope, 'openid offline_access other:read');
      const claims = await verifyAccessToken(server, other.body.access_token, OTHER_API);
      assert.equal(claims.aud, OTHER_API);
      assert.equal(other.body.expires_in, 600);
      // Requested scopes beyond the policy are silently dropped under MRRT (Auth0's rule).
      const narrowed = await refresh(server, other.body.refresh_token!, { clientId: 'backend-mrrt', audience: OTHER_API, scope: 'other:read other:write' });
      assert.equal(narrowed.body.scope, 'other:read');
      // The family itself still belongs to its original audience.
      const back = await refresh(server, narrowed.body.refresh_token!, { clientId: 'backend-mrrt' });
      assert.equal((await verifyAccessToken(server, back.body.access_token, API)).aud, API);
    });

    test('an audience no policy names is refused without consuming the token', async () => {
      const t0 = await issueRefreshToken(server);
      const r = await refresh(server, t0, { audience: OTHER_API });
      assert.equal(r.status, 403);
      assert.equal(r.body.error, 'access_denied');
      assert.equal((await refresh(server, t0)).status, 200);
    });
  });
}
