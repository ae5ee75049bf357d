import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

// RFC 9700 §4.14.2: a refresh token handed to a public client is rotated, whatever the stored client says.
for (const kind of STORES) {
  describe(`public clients always rotate (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
      // A public client stored non-rotating, as an earlier release (or a database edit) could leave it: the
      // configuration file and the CLI now refuse to write one.
      const spa = await server.store.findClient('spa');
      await server.store.upsertClient({ ...spa!, clientId: 'spa-static', refreshToken: { ...spa!.refreshToken, rotationType: 'non-rotating' } });
    });
    after(() => server.close());

    test('its refresh token rotates on every exchange, and the old one coming back is reuse', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa-static' });
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.rotating, true, 'issued as a rotating family');
      const r1 = await refresh(server, t0, { clientId: 'spa-static', publicClient: true });
      assert.equal(r1.status, 200, r1.text);
      assert.ok(r1.body.refresh_token && r1.body.refresh_token !== t0, 'a successor is returned');
      const replay = await refresh(server, t0, { clientId: 'spa-static', publicClient: true });
      assert.deepEqual(replay.body, INVALID_GRANT);
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.revokedReason, 'reuse');
    });

    test('a confidential client configured non-rotating keeps its token', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-static' });
      const r = await refresh(server, t0, { clientId: 'backend-static' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.refresh_token, undefined);
      assert.equal((await refresh(server, t0, { clientId: 'backend-static' })).status, 200);
    });
  });
}
