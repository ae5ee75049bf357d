import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Management, ManagementError, type ManagementClient } from 'auth0';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API } from '../helpers/fixtures.js';
import { freshUser, managementToken, sdkWithClientCredentials, sdkWithToken } from '../helpers/management.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, type TokenBody } from '../helpers/tokens.js';

/**
 * Clients through the official SDK (auth0@7.1.0), as an Auth0 user configures refresh tokens: create a client with
 * rotating refresh tokens and leeway, mint and refresh with it, change its refresh_token settings and see the next
 * refresh follow them, rotate its secret, delete it and see its tokens refused at once.
 */

async function rejectsWith(promise: Promise<unknown>, status: number, errorCode: string, cls?: new (...args: never[]) => ManagementError): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ManagementError, `expected a ManagementError, got ${String(err)}`);
    if (cls) assert.ok(err instanceof cls, `expected ${cls.name}, got ${err.constructor.name}`);
    assert.equal(err.statusCode, status);
    assert.equal((err.body as { errorCode?: string }).errorCode, errorCode, JSON.stringify(err.body));
    return true;
  });
}

/** Token exchange and refresh as the new client, with the credentials the API handed out. */
function mint(server: TestServer, clientId: string, secret: string, userId: string, audience = API) {
  return post<TokenBody>(server, '/oauth/token', {
    grant_type: TOKEN_EXCHANGE_GRANT,
    client_id: clientId,
    client_secret: secret,
    subject_token: userId,
    subject_token_type: USER_ID_TOKEN_TYPE,
    audience,
    scope: 'offline_access read:data',
  });
}
function refreshAs(server: TestServer, clientId: string, secret: string, refreshToken: string) {
  return post<TokenBody>(server, '/oauth/token', { grant_type: 'refresh_token', client_id: clientId, client_secret: secret, refresh_token: refreshToken });
}

for (const kind of STORES) {
  describe(`clients through the auth0 SDK (${kind})`, () => {
    let server: TestServer;
    let sdk: ManagementClient;
    before(async () => {
      server = await startServer(kind, { realIssuer: true });
      sdk = sdkWithClientCredentials(server);
    });
    after(() => server.close());

    test('create an API, a client and a grant; mint, refresh, reuse; update refresh_token, rotate the secret, delete: each at once', async () => {
      const audience = `https://sdk-api-${kind}.example.com`;
      const api = await sdk.resourceServers.create({ identifier: audience, name: 'SDK API', scopes: [{ value: 'read:data', description: 'Read' }], allow_offline_access: true, token_lifetime: 600 });
      assert.equal(api.identifier, audience);
      assert.match(api.id!, /^[0-9a-f]{24}$/);
      const created = await sdk.clients.create({
        name: 'sdk backend',
        grant_types: [TOKEN_EXCHANGE_GRANT, 'refresh_token'],
        refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 30, token_lifetime: 86_400, idle_token_lifetime: 3_600 },
        // Auth0 dashboard fields refreshd does not use are accepted and ignored.
        callbacks: ['https://app.example.com/callback'],
        app_type: 'regular_web',
      });
      const clientId = created.client_id!;
      let secret = created.client_secret!;
      assert.match(clientId, /^[A-Za-z0-9]{32}$/);
      assert.ok(secret.length >= 32);
      assert.deepEqual(created.refresh_token, {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        leeway: 30,
        token_lifetime: 86_400,
        infinite_token_lifetime: false,
        idle_token_lifetime: 3_600,
        infinite_idle_token_lifetime: false,
      });
      assert.equal(created.token_endpoint_auth_method, 'client_secret_post');
      assert.equal((created as Record<string, unknown>).callbacks, undefined);

      // The secret is shown once: get and list never carry it.
      const got = await sdk.clients.get(clientId);
      assert.equal(got.client_secret, undefined);
      assert.deepEqual(got.refresh_token, created.refresh_token);
      const listed = [];
      for await (const c of await sdk.clients.list({ per_page: 2 })) listed.push(c);
      assert.ok(listed.some((c) => c.client_id === clientId));
      assert.ok(listed.every((c) => c.client_secret === undefined));
      assert.equal(new Set(listed.map((c) => c.client_id)).size, listed.length, 'pages do not overlap');

      // Token exchange needs a user grant (subject_type user) for the API.
      const refused = await mint(server, clientId, secret, freshUser('sdk-client'), audience);
      assert.equal(refused.status, 403, refused.text);
      const grant = await sdk.clientGrants.create({ client_id: clientId, audience, scope: ['read:data'], subject_type: 'user' });
      assert.equal(grant.subject_type, 'user');
      const userId = freshUser('sdk-client');
      const reused = await mint(server, clientId, secret, userId, audience);
      assert.equal(reused.status, 200, reused.text);
      const r1 = await refreshAs(server, clientId, secret, reused.body.refresh_token!);
      assert.equal(r1.status, 200, r1.text);
      // Leeway 30 s: the previous token, retried, gets the same successor; after it, its return is reuse.
      const retry = await refreshAs(server, clientId, secret, reused.body.refresh_token!);
      assert.equal(retry.body.refresh_token, r1.body.refresh_token);
      server.clock.advanceSeconds(31);
      const replay = await refreshAs(server, clientId, secret, reused.body.refresh_token!);
      assert.deepEqual([replay.status, replay.body], [403, INVALID_GRANT]);
      assert.equal((await refreshAs(server, clientId, secret, r1.body.refresh_token!)).status, 403, 'reuse revoked the family');
      assert.ok(server.events.some((e) => e.type === 'ferrt' && e.clientId === clientId));

      const minted = await mint(server, clientId, secret, userId, audience);
      assert.equal(minted.status, 200, minted.text);
      const first = minted.body.refresh_token!;
      const second = await refreshAs(server, clientId, secret, first);
      assert.equal(second.status, 200, second.text);
      assert.notEqual(second.body.refresh_token, first, 'rotating');

      // Non-rotating from now on: the next refresh keeps the token it was given.
      const updated = await sdk.clients.update(clientId, { refresh_token: { rotation_type: 'non-rotating', expiration_type: 'expiring' } });
      assert.equal(updated.refresh_token?.rotation_type, 'non-rotating');
      assert.equal(updated.refresh_token?.leeway, 30, 'other settings kept');
      const kept = await refreshAs(server, clientId, secret, second.body.refresh_token!);
      assert.equal(kept.status, 200, kept.text);
      assert.equal(kept.body.refresh_token, undefined, 'a non-rotating exchange returns no new refresh token');
      const again = await refreshAs(server, clientId, secret, second.body.refresh_token!);
      assert.equal(again.status, 200, 'the same token keeps working');

      // rotate-secret: the new secret is shown once, the old one is refused at once.
      const rotated = await sdk.clients.rotateSecret(clientId);
      assert.notEqual(rotated.client_secret, secret);
      const withOld = await refreshAs(server, clientId, secret, second.body.refresh_token!);
      assert.equal(withOld.status, 401, withOld.text);
      assert.equal(withOld.body.error, 'invalid_client');
      secret = rotated.client_secret!;
      assert.equal((await refreshAs(server, clientId, secret, second.body.refresh_token!)).status, 200);

      // delete: its refresh tokens are revoked and refused at once.
      await sdk.clients.delete(clientId);
      const family = await server.store.findFamily(familyIdOf(first));
      assert.ok(family?.revokedAt, 'the family was revoked');
      const afterDelete = await refreshAs(server, clientId, secret, second.body.refresh_token!);
      assert.notEqual(afterDelete.status, 200, afterDelete.text);
      await rejectsWith(sdk.clients.get(clientId), 404, 'inexistent_client', Management.NotFoundError);
      assert.equal((await server.store.listClientGrants()).some((g) => g.clientId === clientId), false, 'its grants went with it');
      await rejectsWith(sdk.clientGrants.get(grant.id!), 404, 'inexistent_client_grant');
      await sdk.resourceServers.delete(api.id!);
      await rejectsWith(sdk.resourceServers.get(audience), 404, 'inexistent_resource_server');

      const sapi = server.events.filter((e) => e.type === 'sapi' && (e.details as { client_id?: string }).client_id === clientId).map((e) => e.description);
      assert.deepEqual(sapi, ['Create a client', 'Create a client grant', 'Update a client', 'Rotate a client secret', 'Delete a client']);
      assert.ok(!JSON.stringify(server.events).includes(secret), 'no event holds a secret');
    });

    test('a public client rotates by default, and cannot be made non-rotating', async () => {
      const spa = await sdk.clients.create({ name: 'sdk spa', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'] });
      assert.equal(spa.client_secret, undefined);
      assert.equal(spa.refresh_token?.rotation_type, 'rotating');
      assert.equal(spa.app_type, 'spa');
      await rejectsWith(sdk.clients.update(spa.client_id!, { refresh_token: { rotation_type: 'non-rotating', expiration_type: 'expiring' } }), 400, 'invalid_body', Management.BadRequestError);
      await rejectsWith(sdk.clients.rotateSecret(spa.client_id!), 400, 'invalid_body');
    });

    test('error rows: invalid_body, 404, insufficient_scope, and the file’s clients refused', async () => {
      await rejectsWith(sdk.clients.create({ name: 'x', grant_types: ['nope'] } as never), 400, 'invalid_body', Management.BadRequestError);
      await rejectsWith(sdk.clients.create({ name: 'x', unknown_field: 1 } as never), 400, 'invalid_body', Management.BadRequestError);
      await rejectsWith(sdk.clients.create({} as never), 400, 'invalid_body', Management.BadRequestError);
      await rejectsWith(sdk.clients.create({ name: 'x', web_origins: ['https://a.example.com/path'] }), 400, 'invalid_body');
      await rejectsWith(
        sdk.clients.create({ name: 'x', refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 60, idle_token_lifetime: 120 } }),
        400,
        'invalid_body',
      );
      await rejectsWith(sdk.clients.get('no-such-client'), 404, 'inexistent_client', Management.NotFoundError);
      await rejectsWith(sdk.clients.update('no-such-client', { name: 'y' }), 404, 'inexistent_client');
      await rejectsWith(sdk.clients.delete('no-such-client'), 404, 'inexistent_client');
      await rejectsWith(sdk.clients.rotateSecret('no-such-client'), 404, 'inexistent_client');

      // The configuration file declares `backend`: it wins there, so the API refuses to change it.
      await rejectsWith(sdk.clients.update('backend', { name: 'renamed' }), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.clients.delete('backend'), 409, 'managed_by_configuration_file');
      await rejectsWith(sdk.clients.rotateSecret('backend'), 409, 'managed_by_configuration_file');
      assert.equal((await sdk.clients.get('backend')).name, 'backend');

      const readOnly = sdkWithToken(server, await managementToken(server, 'read:clients'));
      await rejectsWith(readOnly.clients.create({ name: 'x' }), 403, 'insufficient_scope', Management.ForbiddenError);
      await rejectsWith(readOnly.clients.rotateSecret('backend'), 403, 'insufficient_scope', Management.ForbiddenError);
      await rejectsWith(readOnly.clients.delete('backend'), 403, 'insufficient_scope', Management.ForbiddenError);
      const keysOnly = sdkWithToken(server, await managementToken(server, 'read:client_keys'));
      assert.equal((await keysOnly.clients.get('backend')).client_id, 'backend');
    });

    test('a deleted client’s refresh tokens are refused by the token endpoint at once, reuse or not', async () => {
      const c = await sdk.clients.create({ name: 'doomed', grant_types: [TOKEN_EXCHANGE_GRANT, 'refresh_token'], refresh_token: { rotation_type: 'rotating', expiration_type: 'non-expiring' } });
      await sdk.clientGrants.create({ client_id: c.client_id!, audience: API, scope: ['read:data'], subject_type: 'user' });
      const t = await mint(server, c.client_id!, c.client_secret!, freshUser('doomed'));
      assert.equal(t.status, 200, t.text);
      await sdk.clients.delete(c.client_id!);
      const r = await refreshAs(server, c.client_id!, c.client_secret!, t.body.refresh_token!);
      assert.ok(r.status === 401 || (r.status === 403 && r.body.error === INVALID_GRANT.error), r.text);
    });
  });
}
