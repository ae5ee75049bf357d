import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import { clientCredentialsGrant } from '../../../src/oauth/grants/client-credentials.js';
import { API, clientRecord, grantHarness, OTHER_API } from '../../helpers/grant-harness.js';

const context = { ip: null, userAgent: null };

function setup() {
  const h = grantHarness();
  const client = clientRecord('m2m', { grantTypes: ['client_credentials'] });
  h.source.clients.set('m2m', client);
  h.source.grants.push({ id: 'g1', clientId: 'm2m', audience: API, scope: ['read:data'], subjectType: 'client' });
  // A user grant for the same API authorizes token exchange, never client credentials.
  h.source.grants.push({ id: 'g2', clientId: 'm2m', audience: OTHER_API, scope: ['other:read'], subjectType: 'user' });
  const run = (params: Record<string, string>) => clientCredentialsGrant.handle({ client, params: { grant_type: 'client_credentials', ...params }, context, proof: null }, h.deps);
  return { ...h, run };
}

async function refused(p: Promise<unknown>, error: string, description?: RegExp) {
  const e = await p.then(() => assert.fail(`expected ${error}`), (err: unknown) => err);
  assert.ok(e instanceof OAuthError, String(e));
  assert.equal(e.error, error);
  if (description) assert.match(e.description, description);
}

describe('client credentials grant (unit)', () => {
  test('an API the client has a grant for: the grant\'s scopes, gty client-credentials, nothing stored', async () => {
    const h = setup();
    const r = await h.run({ audience: API });
    assert.equal(r.scope, 'read:data');
    assert.equal(r.refresh_token, undefined);
    assert.deepEqual(h.minted[0]?.claims, { sub: 'm2m@clients', aud: API, azp: 'm2m', scope: 'read:data', gty: 'client-credentials' });
    assert.deepEqual(h.store.writes, []);
    assert.equal(h.events.at(-1)?.type, 'seccft');
  });

  test('a requested scope may narrow but not exceed the grant', async () => {
    const h = setup();
    h.source.grants[0]!.scope = ['read:data', 'write:data'];
    assert.equal((await h.run({ audience: API, scope: 'write:data' })).scope, 'write:data');
    await refused(h.run({ audience: API, scope: 'read:data admin' }), 'access_denied', /admin/);
  });

  test('no grant for the audience, or no such API: access_denied and a feccft event', async () => {
    const h = setup();
    await refused(h.run({ audience: OTHER_API }), 'access_denied', /client-grant/);
    await refused(h.run({ audience: 'https://nowhere.test' }), 'access_denied', /Service not enabled/);
    assert.equal(h.events.filter((e) => e.type === 'feccft').length, 2);
    assert.equal(h.minted.length, 0);
  });

  test('audience is required', async () => {
    await refused(setup().run({}), 'invalid_request');
  });
});
