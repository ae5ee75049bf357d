import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, normalizeConfig, OAuthError, openStore, Refreshd } from '../../src/index.js';

// The README's library example, run as written (with an in-memory SQLite store and a manual clock).
test('the core is usable from another Node app without HTTP', async () => {
  const store = openStore('sqlite::memory:');
  await store.migrate();
  const clock = new ManualClock();
  const refreshd = await Refreshd.create({ store, issuer: 'https://auth.example.com/', clock });
  await refreshd.applyConfig(
    normalizeConfig(
      {
        resource_servers: [{ identifier: 'https://api.example.com', allow_offline_access: true }],
        clients: [
          {
            client_id: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['refresh_token'],
            refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 10 },
          },
        ],
      },
      refreshd.managementAudience,
    ),
  );
  const { response, familyId } = await refreshd.issue({ clientId: 'web', userId: 'user-42', audience: 'https://api.example.com', scope: 'openid offline_access', ip: '192.0.2.1', userAgent: 'test' });
  assert.ok(response.refresh_token);
  const next = await refreshd.refresh({ clientId: 'web', refreshToken: response.refresh_token });
  assert.equal(next.kind, 'rotated');
  assert.equal(next.family.id, familyId);
  assert.equal(await refreshd.revoke({ clientId: 'web', token: next.response.refresh_token! }), true);
  await assert.rejects(refreshd.refresh({ clientId: 'web', refreshToken: next.response.refresh_token! }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_grant' && e.status === 403);
  await store.close();
});
