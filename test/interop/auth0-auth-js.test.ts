import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthClient, TokenByRefreshTokenError } from '@auth0/auth0-auth-js';
import { USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { verifyAccessToken } from '../helpers/tokens.js';
import { startInteropServer, type InteropServer } from './harness.js';

// Auth0's current authentication client, configured by domain as against an Auth0 tenant, pointed at refreshd
// through its `customFetch`. It discovers https://{domain}/ and authenticates with client_secret_post.
for (const kind of STORES) {
  describe(`@auth0/auth0-auth-js (${kind})`, () => {
    let rd: InteropServer;
    before(async () => {
      rd = await startInteropServer(kind);
    });
    after(() => rd.close());

    const authClient = (clientId: string) => new AuthClient({ domain: rd.domain, clientId, clientSecret: secretOf(clientId), customFetch: rd.fetch });

    test('token exchange issues tokens, refresh rotates them, a reused refresh token is refused', async () => {
      const auth = authClient('backend');
      const userId = 'auth0|auth-js-user';
      const issued = await auth.exchangeToken({ subjectTokenType: USER_ID_TOKEN_TYPE, subjectToken: userId, audience: API, scope: 'openid offline_access read:data' });
      assert.ok(issued.refreshToken);
      assert.equal(issued.scope, 'openid offline_access read:data');
      assert.equal(issued.issuedTokenType, 'urn:ietf:params:oauth:token-type:access_token');
      assert.equal((await verifyAccessToken(rd.server, issued.accessToken, API)).sub, userId);

      const refreshed = await auth.getTokenByRefreshToken({ refreshToken: issued.refreshToken });
      assert.ok(refreshed.refreshToken && refreshed.refreshToken !== issued.refreshToken, 'rotated');
      assert.equal((await verifyAccessToken(rd.server, refreshed.accessToken, API)).sub, userId);
      // Narrowing the scope on refresh, as the SDK's `scope` option does.
      const narrowed = await auth.getTokenByRefreshToken({ refreshToken: refreshed.refreshToken, scope: 'read:data' });
      assert.equal(narrowed.scope, 'read:data');

      await assert.rejects(auth.getTokenByRefreshToken({ refreshToken: issued.refreshToken }), (err: unknown) => {
        assert.ok(err instanceof TokenByRefreshTokenError, String(err));
        assert.equal(err.cause?.error, 'invalid_grant');
        assert.equal(err.statusCode, 403);
        return true;
      });
    });

    test('client credentials', async () => {
      const token = await authClient('m2m').getTokenByClientCredentials({ audience: API });
      assert.equal(token.refreshToken, undefined);
      assert.equal((await verifyAccessToken(rd.server, token.accessToken, API)).sub, 'm2m@clients');
    });
  });
}
