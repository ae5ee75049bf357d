import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../../src/core/types.js';
import { API, secretOf } from '../../helpers/fixtures.js';
import { api, envelopeOf, freshUser, managementToken } from '../../helpers/management.js';
import { post, startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';

/**
 * Issue 11 §3.11: a leaked Management credential can be cut off quickly. Its token lifetime is configurable;
 * rotate-secret with revoke_tokens refuses the Management tokens the client already holds and revokes its refresh
 * tokens; deleting the client refuses its Management tokens at once.
 */

type Json = Record<string, any>;

for (const kind of STORES) {
  describe(`cutting off a Management API client (${kind})`, () => {
    let server: TestServer;
    let admin: string;
    before(async () => {
      server = await startServer(kind, { managementTokenLifetimeSeconds: 600 });
      admin = await managementToken(server);
    });
    after(() => server.close());

    const clientCredentials = (clientId: string, secret: string) =>
      post<Json>(server, '/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: server.refreshd.managementAudience });

    /** A client with a Management grant (read:clients) and the token-exchange grant for API. */
    async function operator(): Promise<{ id: string; secret: string }> {
      const c = await api<Json>(server, 'POST', '/clients', { token: admin, body: { name: 'ops', grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT, 'refresh_token'] } });
      assert.equal(c.status, 201, c.text);
      for (const body of [
        { client_id: c.body.client_id, audience: server.refreshd.managementAudience, scope: ['read:clients'] },
        { client_id: c.body.client_id, audience: API, scope: ['read:data'], subject_type: 'user' },
      ]) {
        assert.equal((await api(server, 'POST', '/client-grants', { token: admin, body })).status, 201);
      }
      return { id: c.body.client_id, secret: c.body.client_secret };
    }

    test('Management tokens live REFRESHD_MANAGEMENT_TOKEN_LIFETIME seconds', async () => {
      const r = await post<Json>(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'mgmt', client_secret: secretOf('mgmt'), audience: server.refreshd.managementAudience });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.expires_in, 600);
      const system = await api<Json>(server, 'GET', `/resource-servers/${encodeURIComponent(server.refreshd.managementAudience)}`, { token: admin });
      assert.equal(system.body.token_lifetime, 600);
    });

    test('rotate-secret without revoke_tokens leaves issued tokens alone; with it, they are refused at once', async () => {
      const ops = await operator();
      const before = (await clientCredentials(ops.id, ops.secret)).body.access_token as string;
      const exchanged = await post<Json>(server, '/oauth/token', {
        grant_type: TOKEN_EXCHANGE_GRANT, client_id: ops.id, client_secret: ops.secret, subject_token: freshUser('ops'),
        subject_token_type: USER_ID_TOKEN_TYPE, audience: API, scope: 'offline_access read:data',
      });
      assert.equal(exchanged.status, 200, exchanged.text);
      assert.equal((await api(server, 'GET', '/clients', { token: before })).status, 200);

      server.clock.advanceSeconds(1);
      const plain = await api<Json>(server, 'POST', `/clients/${ops.id}/rotate-secret`, { token: admin });
      assert.equal(plain.status, 200, plain.text);
      assert.equal((await api(server, 'GET', '/clients', { token: before })).status, 200, 'a plain rotation keeps issued tokens');

      server.clock.advanceSeconds(1);
      const cut = await api<Json>(server, 'POST', `/clients/${ops.id}/rotate-secret?revoke_tokens=true`, { token: admin });
      assert.equal(cut.status, 200, cut.text);
      const refused = await api(server, 'GET', '/clients', { token: before });
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, envelopeOf(401, 'invalid_token', 'Invalid token.'));
      // Its refresh tokens are revoked as well.
      const refreshed = await post<Json>(server, '/oauth/token', { grant_type: 'refresh_token', client_id: ops.id, client_secret: cut.body.client_secret, refresh_token: exchanged.body.refresh_token });
      assert.equal(refreshed.status, 403, refreshed.text);
      // The new secret's tokens work, in the same second as the rotation too.
      const after = await clientCredentials(ops.id, cut.body.client_secret);
      assert.equal((await api(server, 'GET', '/clients', { token: after.body.access_token })).status, 200);
      const event = server.events.find((e) => e.type === 'sapi' && e.description === 'Rotate a client secret' && (e.details as Json).revoke_tokens === true);
      assert.equal((event?.details as Json | undefined)?.revoked, 1);
    });

    test('deleting a client refuses its Management tokens at once', async () => {
      const ops = await operator();
      const token = (await clientCredentials(ops.id, ops.secret)).body.access_token as string;
      assert.equal((await api(server, 'GET', '/clients', { token })).status, 200);
      assert.equal((await api(server, 'DELETE', `/clients/${ops.id}`, { token: admin })).status, 204);
      assert.equal((await api(server, 'GET', '/clients', { token })).status, 401);
    });
  });
}
