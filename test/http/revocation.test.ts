import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

const revoke = (server: TestServer, token: string, clientId = 'backend', json = false) =>
  post(server, '/oauth/revoke', { client_id: clientId, client_secret: secretOf(clientId), token }, { json });

for (const kind of STORES) {
  describe(`POST /oauth/revoke (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('revoking a token answers 200 with an empty body and kills its whole family', async () => {
      const t0 = await issueRefreshToken(server);
      const t1 = (await refresh(server, t0)).body.refresh_token!;
      const r = await revoke(server, t1);
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.deepEqual((await refresh(server, t1)).body, INVALID_GRANT);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedReason, 'revoked_by_client');
      assert.ok(server.events.some((e) => e.type === 'srrt' && e.details?.credential_id === fam?.id));
    });

    test('JSON bodies are accepted (the legacy Auth0 SDK sends JSON)', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal((await revoke(server, t0, 'backend', true)).status, 200);
      assert.equal((await refresh(server, t0)).status, 403);
    });

    test('unknown and malformed tokens get the same 200', async () => {
      for (const token of ['rfd_rt_nope', 'x'.repeat(300), (await issueRefreshToken(server)).replace(/.$/, 'A')]) {
        const r = await revoke(server, token);
        assert.equal(r.status, 200);
        assert.equal(r.text, '');
      }
    });

    test('a token of another client answers 200 but is not revoked', async () => {
      const t0 = await issueRefreshToken(server);
      const r = await revoke(server, t0, 'backend-static');
      assert.equal(r.status, 200);
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('revocation requires client authentication and a token', async () => {
      const t0 = await issueRefreshToken(server);
      const bad = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: 'wrong-secret-wrong-secret-wrong-secret', token: t0 });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error, 'invalid_client');
      assert.equal((await refresh(server, t0)).status, 200);
      const missing = await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend') });
      assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
    });

    test('a public client revokes its own token with its client_id alone', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const r = await post(server, '/oauth/revoke', { client_id: 'spa', token: t0 });
      assert.equal(r.status, 200);
      assert.equal((await refresh(server, t0, { clientId: 'spa', publicClient: true })).status, 403);
    });
  });
}
