import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementError, type ManagementClient } from 'auth0';
import { API, MGMT_CLIENT, secretOf } from '../helpers/fixtures.js';
import { api, envelopeOf, managementToken, sdkWithClientCredentials, sdkWithToken } from '../helpers/management.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

/**
 * Resource servers and client grants through the official SDK (auth0@7.1.0): every method, the filters and
 * paging the SDK uses, and Auth0's error rows; client credentials follow a grant created, changed and deleted.
 */

async function rejectsWith(promise: Promise<unknown>, status: number, errorCode: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ManagementError, `expected a ManagementError, got ${String(err)}`);
    assert.equal(err.statusCode, status, JSON.stringify(err.body));
    assert.equal((err.body as { errorCode?: string }).errorCode, errorCode, JSON.stringify(err.body));
    return true;
  });
}

const m2mToken = (server: TestServer, clientId: string, secret: string, audience: string, scope?: string) =>
  post<{ access_token?: string; scope?: string; error?: string }>(server, '/oauth/token', {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    audience,
    ...(scope ? { scope } : {}),
  });

for (const kind of STORES) {
  describe(`resource servers and client grants through the auth0 SDK (${kind})`, () => {
    let server: TestServer;
    let sdk: ManagementClient;
    before(async () => {
      server = await startServer(kind, { realIssuer: true });
      sdk = sdkWithClientCredentials(server);
    });
    after(() => server.close());

    test('resourceServers: create, get by id and by identifier, list (paged), update, delete', async () => {
      const identifier = 'https://orders.example.com/api';
      const created = await sdk.resourceServers.create({ identifier, name: 'Orders', scopes: [{ value: 'read:orders' }, { value: 'write:orders' }], signing_alg: 'ES256' as never, skip_consent_for_verifiable_first_party_clients: true });
      assert.deepEqual(
        { ...created, id: undefined },
        { id: undefined, name: 'Orders', identifier, is_system: false, scopes: [{ value: 'read:orders' }, { value: 'write:orders' }], signing_alg: 'ES256', allow_offline_access: false, token_lifetime: 86_400, token_lifetime_for_web: 86_400 },
      );
      assert.deepEqual(await sdk.resourceServers.get(created.id!), created);
      assert.deepEqual(await sdk.resourceServers.get(identifier), created);

      const all = [];
      for await (const rs of await sdk.resourceServers.list({ per_page: 2 })) all.push(rs);
      const identifiers = all.map((rs) => rs.identifier);
      assert.ok(identifiers.includes(identifier) && identifiers.includes(API));
      assert.equal(all.find((rs) => rs.identifier === server.refreshd.managementAudience)?.is_system, true, 'the Management API is listed, as system');
      assert.equal(new Set(identifiers).size, identifiers.length);

      const updated = await sdk.resourceServers.update(created.id!, { allow_offline_access: true, token_lifetime: 300, scopes: [{ value: 'read:orders' }] });
      assert.equal(updated.allow_offline_access, true);
      assert.equal(updated.token_lifetime, 300);
      assert.deepEqual(updated.scopes, [{ value: 'read:orders' }]);
      assert.equal(updated.signing_alg, 'ES256', 'untouched fields kept');

      await sdk.resourceServers.delete(identifier);
      await rejectsWith(sdk.resourceServers.get(created.id!), 404, 'inexistent_resource_server');
      const descriptions = server.events.filter((e) => e.type === 'sapi' && (e.details as { identifier?: string }).identifier === identifier).map((e) => e.description);
      assert.deepEqual(descriptions, ['Create a resource server', 'Update a resource server', 'Delete a resource server']);
    });

    test('resourceServers error rows: duplicate 409, invalid_body, 404, the Management API and the file’s APIs refused', async () => {
      await sdk.resourceServers.create({ identifier: 'https://dup.example.com' });
      await rejectsWith(sdk.resourceServers.create({ identifier: 'https://dup.example.com' }), 409, 'conflict');
      await rejectsWith(sdk.resourceServers.create({ identifier: 'https://x.example.com', signing_alg: 'HS256' }), 400, 'invalid_body');
      await rejectsWith(sdk.resourceServers.create({ identifier: 'https://x.example.com', scopes: [{ value: 'a b' }] }), 400, 'invalid_body');
      await rejectsWith(sdk.resourceServers.create({ identifier: 'https://x.example.com', unknown: 1 } as never), 400, 'invalid_body');
      await rejectsWith(sdk.resourceServers.create({ identifier: 'https://x.example.com', scopes: [{ value: 'a' }, { value: 'a' }] }), 400, 'invalid_body');
      await rejectsWith(sdk.resourceServers.create({ identifier: server.refreshd.managementAudience }), 400, 'operation_not_supported');
      await rejectsWith(sdk.resourceServers.update(server.refreshd.managementAudience, { token_lifetime: 60 }), 400, 'operation_not_supported');
      await rejectsWith(sdk.resourceServers.delete(server.refreshd.managementAudience), 400, 'operation_not_supported');
      await rejectsWith(sdk.resourceServers.update(API, { token_lifetime: 60 }), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.resourceServers.delete(API), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.resourceServers.get('https://nowhere.example.com'), 404, 'inexistent_resource_server');
      await rejectsWith(sdk.resourceServers.delete('https://nowhere.example.com'), 404, 'inexistent_resource_server');
      const readOnly = sdkWithToken(server, await managementToken(server, 'read:resource_servers'));
      await rejectsWith(readOnly.resourceServers.create({ identifier: 'https://y.example.com' }), 403, 'insufficient_scope');
      const raw = await api(server, 'POST', '/resource-servers', { token: await managementToken(server, 'read:resource_servers'), body: { identifier: 'https://y.example.com' } });
      assert.deepEqual(raw.body, envelopeOf(403, 'insufficient_scope', 'Insufficient scope, expected any of: create:resource_servers'));
    });

    test('clientGrants: client credentials follow a grant created, narrowed and deleted', async () => {
      const client = await sdk.clients.create({ name: 'm2m via API', grant_types: ['client_credentials'] });
      const id = client.client_id!;
      const secret = client.client_secret!;
      assert.equal((await m2mToken(server, id, secret, API)).status, 403, 'no grant yet');
      const grant = await sdk.clientGrants.create({ client_id: id, audience: API, scope: ['read:data', 'write:data'] });
      assert.deepEqual({ ...grant, id: undefined }, { id: undefined, client_id: id, audience: API, scope: ['read:data', 'write:data'], subject_type: 'client' });
      assert.deepEqual(await sdk.clientGrants.get(grant.id!), grant);
      const t1 = await m2mToken(server, id, secret, API);
      assert.equal(t1.body.scope, 'read:data write:data');

      const narrowed = await sdk.clientGrants.update(grant.id!, { scope: ['read:data'] });
      assert.deepEqual(narrowed.scope, ['read:data']);
      assert.equal((await m2mToken(server, id, secret, API)).body.scope, 'read:data', 'the next token follows');
      assert.equal((await m2mToken(server, id, secret, API, 'write:data')).status, 403);

      const listed = [];
      for await (const g of await sdk.clientGrants.list({ client_id: id })) listed.push(g);
      assert.deepEqual(listed, [narrowed]);
      const forApi = [];
      for await (const g of await sdk.clientGrants.list({ audience: API, take: 3 })) forApi.push(g);
      assert.ok(forApi.length > 3, 'several checkpoint pages');
      assert.ok(forApi.every((g) => g.audience === API));
      assert.equal(new Set(forApi.map((g) => g.id)).size, forApi.length, 'pages do not overlap');
      assert.equal(forApi.length, (await server.store.listClientGrants()).filter((g) => g.audience === API).length);

      await sdk.clientGrants.delete(grant.id!);
      assert.equal((await m2mToken(server, id, secret, API)).status, 403, 'refused at once without the grant');
      await rejectsWith(sdk.clientGrants.get(grant.id!), 404, 'inexistent_client_grant');
    });

    test('clientGrants error rows: duplicate 409, unknown scope, client or API, user grants on the Management API, the file’s grants', async () => {
      const client = await sdk.clients.create({ name: 'grant errors', grant_types: ['client_credentials'] });
      const id = client.client_id!;
      await sdk.clientGrants.create({ client_id: id, audience: API, scope: ['read:data'] });
      await rejectsWith(sdk.clientGrants.create({ client_id: id, audience: API, scope: [] }), 409, 'conflict');
      // The same pair with subject_type user is another grant (token exchange), not a duplicate.
      assert.equal((await sdk.clientGrants.create({ client_id: id, audience: API, scope: [], subject_type: 'user' })).subject_type, 'user');
      await rejectsWith(sdk.clientGrants.create({ client_id: id, audience: API, scope: ['delete:everything'] } ), 400, 'invalid_body');
      await rejectsWith(sdk.clientGrants.create({ client_id: 'nobody', audience: API, scope: [] }), 404, 'inexistent_client');
      await rejectsWith(sdk.clientGrants.create({ client_id: id, audience: 'https://nowhere.example.com', scope: [] }), 404, 'inexistent_resource_server');
      await rejectsWith(sdk.clientGrants.create({ client_id: id, audience: server.refreshd.managementAudience, scope: [], subject_type: 'user' }), 400, 'invalid_body');
      await rejectsWith(sdk.clientGrants.create({ client_id: id, audience: API } as never), 400, 'invalid_body');
      const fileGrant = (await server.store.listClientGrants()).find((g) => g.clientId === MGMT_CLIENT)!;
      await rejectsWith(sdk.clientGrants.update(fileGrant.id, { scope: ['read:logs'] }), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.clientGrants.delete(fileGrant.id), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.clientGrants.delete('no-such-grant'), 404, 'inexistent_client_grant');
      await rejectsWith(sdk.clientGrants.update('no-such-grant', { scope: [] }), 404, 'inexistent_client_grant');
      const readOnly = sdkWithToken(server, await managementToken(server, 'read:client_grants'));
      await rejectsWith(readOnly.clientGrants.delete(fileGrant.id), 403, 'insufficient_scope');
      // The Management client still works: nothing above changed its grant.
      assert.equal((await m2mToken(server, MGMT_CLIENT, secretOf(MGMT_CLIENT), server.refreshd.managementAudience)).status, 200);
    });
  });
}
