import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { verifyAccessToken } from '../helpers/tokens.js';
import { M2M_BASIC, startInteropServer, type InteropServer } from './harness.js';

const isInvalidGrant = (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'invalid_grant' && err.status === 403;

// openid-client v6, the certified relying-party library, used as a backend uses it: discovery, token exchange
// (refreshd's issuance), refresh with rotation, reuse refused, revocation, client credentials, with both secret
// methods. The issuer has a path, so every endpoint it calls is one advertised under that path.
for (const kind of STORES) {
  describe(`openid-client against an issuer with a path (${kind})`, () => {
    let rd: InteropServer;
    before(async () => {
      rd = await startInteropServer(kind, { path: '/t1/' });
    });
    after(() => rd.close());

    const configure = (clientId: string, auth: client.ClientAuth) => client.discovery(new URL(rd.issuer), clientId, undefined, auth, { [client.customFetch]: rd.fetch });

    for (const [clientId, method] of [['backend', 'client_secret_post'], ['backend-basic', 'client_secret_basic']] as const) {
      test(`${method}: token exchange, refresh, reuse refused, revocation`, async () => {
        const auth = method === 'client_secret_post' ? client.ClientSecretPost(secretOf(clientId)) : client.ClientSecretBasic(secretOf(clientId));
        const config = await configure(clientId, auth);
        assert.equal(config.serverMetadata().token_endpoint, `${rd.issuer}oauth/token`);
        const userId = `auth0|openid-client-${method}`;

        const issued = await client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, {
          subject_token: userId,
          subject_token_type: USER_ID_TOKEN_TYPE,
          audience: API,
          scope: 'openid offline_access read:data',
        });
        assert.equal(issued.token_type, 'bearer');
        assert.equal(issued.expires_in, 3600);
        assert.ok(issued.refresh_token);
        const claims = await verifyAccessToken(rd.server, issued.access_token, API);
        assert.deepEqual([claims.iss, claims.sub, claims.azp], [rd.issuer, userId, clientId]);

        const refreshed = await client.refreshTokenGrant(config, issued.refresh_token);
        assert.ok(refreshed.refresh_token && refreshed.refresh_token !== issued.refresh_token, 'rotated');
        assert.equal((await verifyAccessToken(rd.server, refreshed.access_token, API)).sub, userId);

        // The rotated-out token coming back is reuse: refused, and the family is revoked with it.
        await assert.rejects(client.refreshTokenGrant(config, issued.refresh_token), isInvalidGrant);
        await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), isInvalidGrant);

        // A fresh family, revoked through the revocation endpoint, no longer refreshes.
        const second = await client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, {
          subject_token: userId,
          subject_token_type: USER_ID_TOKEN_TYPE,
          audience: API,
          scope: 'offline_access read:data',
        });
        await client.tokenRevocation(config, second.refresh_token!, { token_type_hint: 'refresh_token' });
        await assert.rejects(client.refreshTokenGrant(config, second.refresh_token!), isInvalidGrant);
      });
    }

    for (const [clientId, method] of [['m2m', 'client_secret_post'], [M2M_BASIC, 'client_secret_basic']] as const) {
      test(`${method}: client credentials`, async () => {
        const auth = method === 'client_secret_post' ? client.ClientSecretPost(secretOf(clientId)) : client.ClientSecretBasic(secretOf(clientId));
        const config = await configure(clientId, auth);
        const token = await client.clientCredentialsGrant(config, { audience: API, scope: 'read:data' });
        assert.equal(token.scope, 'read:data');
        assert.equal(token.refresh_token, undefined);
        const claims = await verifyAccessToken(rd.server, token.access_token, API);
        assert.deepEqual([claims.sub, claims.gty], [`${clientId}@clients`, 'client-credentials']);
      });
    }

    test('a wrong secret is refused with invalid_client', async () => {
      const config = await configure('backend', client.ClientSecretPost('not-the-secret-not-the-secret-not-it'));
      await assert.rejects(
        client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, { subject_token: 'auth0|x', subject_token_type: USER_ID_TOKEN_TYPE, audience: API }),
        (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'invalid_client' && err.status === 401,
      );
    });
  });
}
