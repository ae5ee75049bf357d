import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOKEN_EXCHANGE_GRANT } from '../../src/core/types.js';
import { API, fixtureConfig, OTHER_API, secretOf } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, issueRefreshToken, refresh, verifyAccessToken } from '../helpers/tokens.js';

// Issue 11, finding 4: token exchange reaches only the APIs and scopes of the client's user grants, and only the
// public clients it lists. `partner` holds the grant type but a user grant for OTHER_API (other:read) alone, a
// client_credentials grant for API, and no targets.
function config(): Record<string, unknown> {
  const base = fixtureConfig() as { clients: unknown[]; client_grants: unknown[] };
  return {
    ...base,
    clients: [...base.clients, { client_id: 'partner', client_secret: secretOf('partner'), grant_types: [TOKEN_EXCHANGE_GRANT, 'refresh_token', 'client_credentials'] }],
    client_grants: [
      ...base.client_grants,
      { client_id: 'partner', audience: OTHER_API, scope: ['other:read'], subject_type: 'user' },
      { client_id: 'partner', audience: API, scope: ['read:data', 'write:data'] },
    ],
  };
}

for (const kind of STORES) {
  describe(`token exchange is scoped by user grants and target lists (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { config: config() });
    });
    after(() => server.close());

    test('an API without a user grant is refused, even one the client may reach by client credentials', async () => {
      const r = await exchange(server, { clientId: 'partner', audience: API, scope: 'openid offline_access read:data' });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.error, 'access_denied');
      assert.match(r.body.error_description ?? '', /client-grant/);
      assert.equal(await server.store.countSessions('auth0|user-1', server.clock.now()), 0, 'nothing was written');
    });

    test('scopes are capped at the user grant: others are left out of the tokens', async () => {
      const r = await exchange(server, { clientId: 'partner', audience: OTHER_API, scope: 'openid offline_access other:read other:write', userId: 'auth0|capped' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.scope, 'openid offline_access other:read');
      assert.equal((await verifyAccessToken(server, r.body.access_token, OTHER_API)).scope, 'openid offline_access other:read');
      const widened = await refresh(server, r.body.refresh_token!, { clientId: 'partner', scope: 'other:read other:write' });
      assert.equal(widened.body.error, 'invalid_scope', 'and the refresh token cannot widen past it');
    });

    test('a client names as target only the public clients it lists: it cannot reach (or evict) another app\'s sessions', async () => {
      const victim = 'auth0|victim';
      const theirs = await issueRefreshToken(server, { userId: victim, targetClientId: 'spa' });
      for (let i = 0; i < 3; i++) {
        const r = await exchange(server, { clientId: 'partner', userId: victim, audience: OTHER_API, scope: 'offline_access other:read', targetClientId: 'spa' });
        assert.deepEqual([r.status, r.body], [403, { error: 'unauthorized_client', error_description: 'This client may not issue tokens for that target_client_id.' }]);
      }
      assert.equal(await server.store.countFamilies({ userId: victim, clientId: 'spa' }, server.clock.now()), 1);
      assert.equal((await server.store.findFamily(familyIdOf(theirs)))?.revokedAt, null);
      // Unlisted unknown, unlisted confidential and unlisted public all answer alike.
      for (const target of ['nope', 'backend-basic', 'spa']) {
        const r = await exchange(server, { clientId: 'partner', audience: OTHER_API, scope: 'other:read', targetClientId: target });
        assert.equal(r.body.error, 'unauthorized_client', target);
      }
    });

    test('refused exchanges are recorded as fecte', async () => {
      const before = server.events.filter((e) => e.type === 'fecte').length;
      await exchange(server, { clientId: 'partner', audience: API });
      await exchange(server, { clientId: 'partner', audience: OTHER_API, targetClientId: 'spa' });
      assert.equal(server.events.filter((e) => e.type === 'fecte').length, before + 2);
    });
  });
}
