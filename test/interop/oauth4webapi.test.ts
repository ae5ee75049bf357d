import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { verifyAccessToken } from '../helpers/tokens.js';
import { M2M_BASIC, startInteropServer, type InteropServer } from './harness.js';

const isInvalidGrant = (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant' && err.status === 403;

// oauth4webapi, the low-level OAuth 2 client (and openid-client's engine), with its strictest defaults: every
// response is checked for status, content type and shape. Root issuer, RFC 8414 discovery.
for (const kind of STORES) {
  describe(`oauth4webapi (${kind})`, () => {
    let rd: InteropServer;
    let as: oauth.AuthorizationServer;
    before(async () => {
      rd = await startInteropServer(kind);
      const issuer = new URL(rd.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.customFetch]: rd.fetch }));
    });
    after(() => rd.close());

    const fetchOption = () => ({ [oauth.customFetch]: rd.fetch });
    const authFor = (clientId: string, method: 'client_secret_post' | 'client_secret_basic') =>
      method === 'client_secret_post' ? oauth.ClientSecretPost(secretOf(clientId)) : oauth.ClientSecretBasic(secretOf(clientId));

    for (const [clientId, method] of [['backend', 'client_secret_post'], ['backend-basic', 'client_secret_basic']] as const) {
      test(`${method}: token exchange, refresh, reuse refused, revocation`, async () => {
        const c: oauth.Client = { client_id: clientId };
        const auth = authFor(clientId, method);
        const userId = `auth0|oauth4webapi-${method}`;
        const exchange = async () =>
          oauth.processGenericTokenEndpointResponse(
            as,
            c,
            await oauth.genericTokenEndpointRequest(as, c, auth, TOKEN_EXCHANGE_GRANT, { subject_token: userId, subject_token_type: USER_ID_TOKEN_TYPE, audience: API, scope: 'offline_access read:data' }, fetchOption()),
          );
        const refresh = async (token: string) => oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, auth, token, fetchOption()));

        const issued = await exchange();
        assert.deepEqual([issued.token_type, issued.expires_in, issued.scope], ['bearer', 3600, 'offline_access read:data']);
        assert.equal(issued.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
        assert.equal((await verifyAccessToken(rd.server, issued.access_token, API)).sub, userId);

        const refreshed = await refresh(issued.refresh_token!);
        assert.ok(refreshed.refresh_token && refreshed.refresh_token !== issued.refresh_token, 'rotated');
        await assert.rejects(refresh(issued.refresh_token!), isInvalidGrant);
        await assert.rejects(refresh(refreshed.refresh_token), isInvalidGrant, 'reuse revoked the family');

        const second = await exchange();
        const revoked = await oauth.revocationRequest(as, c, auth, second.refresh_token!, { additionalParameters: { token_type_hint: 'refresh_token' }, ...fetchOption() });
        assert.equal(await oauth.processRevocationResponse(revoked), undefined);
        await assert.rejects(refresh(second.refresh_token!), isInvalidGrant);
      });
    }

    for (const [clientId, method] of [['m2m', 'client_secret_post'], [M2M_BASIC, 'client_secret_basic']] as const) {
      test(`${method}: client credentials`, async () => {
        const c: oauth.Client = { client_id: clientId };
        const response = await oauth.clientCredentialsGrantRequest(as, c, authFor(clientId, method), { audience: API }, fetchOption());
        const token = await oauth.processClientCredentialsResponse(as, c, response);
        assert.equal(token.refresh_token, undefined);
        assert.equal((await verifyAccessToken(rd.server, token.access_token, API)).sub, `${clientId}@clients`);
      });
    }

    test('Basic from a client registered for client_secret_post (RFC 6749 §2.3.1); revoking an access token is unsupported_token_type', async () => {
      const c: oauth.Client = { client_id: 'backend' };
      const basic = oauth.ClientSecretBasic(secretOf('backend'));
      const issued = await oauth.processGenericTokenEndpointResponse(
        as,
        c,
        await oauth.genericTokenEndpointRequest(as, c, basic, TOKEN_EXCHANGE_GRANT, { subject_token: 'auth0|o4w-basic', subject_token_type: USER_ID_TOKEN_TYPE, audience: API, scope: 'offline_access' }, fetchOption()),
      );
      const revoking = await oauth.revocationRequest(as, c, basic, issued.access_token, { additionalParameters: { token_type_hint: 'access_token' }, ...fetchOption() });
      await assert.rejects(oauth.processRevocationResponse(revoking), (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'unsupported_token_type' && err.status === 400);
      const refreshed = await oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, basic, issued.refresh_token!, fetchOption()));
      assert.ok(refreshed.refresh_token);
    });

    test('a wrong Basic secret is a 401 invalid_client with a Basic challenge', async () => {
      const c: oauth.Client = { client_id: M2M_BASIC };
      const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic('not-the-secret-not-the-secret-not-it'), { audience: API }, fetchOption());
      await assert.rejects(oauth.processClientCredentialsResponse(as, c, response), (err: unknown) => {
        assert.ok(err instanceof oauth.WWWAuthenticateChallengeError, String(err));
        assert.equal(err.status, 401);
        assert.equal(err.cause[0]?.scheme, 'basic');
        return true;
      });
    });
  });
}
