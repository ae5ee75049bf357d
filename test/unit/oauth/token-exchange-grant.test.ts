import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE, type Client } from '../../../src/core/types.js';
import { tokenExchangeGrant } from '../../../src/oauth/grants/token-exchange.js';
import { API, clientRecord, grantHarness, OTHER_API } from '../../helpers/grant-harness.js';

const context = { ip: '192.0.2.9', userAgent: 'unit/1.0' };

function setup(o: Partial<Client> = {}) {
  const h = grantHarness();
  const backend = clientRecord('backend', { tokenExchangeTargetClients: ['spa'], ...o });
  h.source.clients.set('backend', backend);
  h.source.clients.set('spa', clientRecord('spa', { tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token'] }));
  h.source.clients.set('other-spa', clientRecord('other-spa', { tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token'] }));
  h.source.grants.push({ id: 'u1', clientId: 'backend', audience: API, scope: ['read:data'], subjectType: 'user' });
  h.source.grants.push({ id: 'c1', clientId: 'backend', audience: OTHER_API, scope: ['other:read'], subjectType: 'client' });
  const run = (params: Record<string, string>) =>
    tokenExchangeGrant.handle(
      {
        client: backend,
        params: { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: 'auth0|u', subject_token_type: USER_ID_TOKEN_TYPE, audience: API, scope: 'openid offline_access read:data write:data', ...params },
        context,
        proof: null,
      },
      h.deps,
    );
  return { ...h, run };
}

async function refused(p: Promise<unknown>, error: string) {
  const e = await p.then(() => assert.fail(`expected ${error}`), (err: unknown) => err);
  assert.ok(e instanceof OAuthError, String(e));
  assert.equal(e.error, error, e.detail ?? e.description);
}

describe('token exchange grant (unit)', () => {
  test('an API with a user grant: tokens capped at the grant\'s scopes, a session and a family written together', async () => {
    const h = setup();
    const r = await h.run({});
    assert.equal(r.scope, 'openid offline_access read:data');
    assert.ok(r.refresh_token);
    assert.deepEqual(h.store.writes, ['createFamily']);
    assert.equal(h.minted[0]?.claims.azp, 'backend');
  });

  test('an API with only a client (client_credentials) grant, or none: access_denied, nothing written', async () => {
    for (const audience of [OTHER_API, 'https://nowhere.test']) {
      const h = setup();
      await refused(h.run({ audience }), 'access_denied');
      assert.deepEqual(h.store.writes, []);
      assert.equal(h.events.at(-1)?.type, 'fecte');
    }
  });

  test('a listed public target gets the tokens in its name; an unlisted one is unauthorized_client, nothing written', async () => {
    const h = setup();
    await h.run({ target_client_id: 'spa' });
    assert.equal([...h.store.families.values()][0]?.clientId, 'spa');
    assert.equal(h.minted[0]?.claims.azp, 'spa');
    const h2 = setup();
    for (const target of ['other-spa', 'unknown']) await refused(h2.run({ target_client_id: target }), 'unauthorized_client');
    assert.deepEqual(h2.store.writes, []);
  });

  test('a listed target that is not (or no longer) public is refused', async () => {
    const h = setup({ tokenExchangeTargetClients: ['spa', 'gone'] });
    h.source.clients.set('spa', clientRecord('spa'));
    await refused(h.run({ target_client_id: 'spa' }), 'invalid_request');
    await refused(h.run({ target_client_id: 'gone' }), 'invalid_request');
    assert.deepEqual(h.store.writes, []);
  });
});
