import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`at most 200 active families per user per client (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('the 201st issuance revokes the oldest family; other users and clients are untouched', async () => {
      const user = 'auth0|heavy-user';
      const other = await issueRefreshToken(server, { userId: 'auth0|someone-else' });
      const otherClient = await issueRefreshToken(server, { userId: user, clientId: 'backend-static' });
      const tokens: string[] = [];
      for (let i = 0; i < 200; i++) {
        tokens.push(await issueRefreshToken(server, { userId: user, scope: 'offline_access' }));
        server.clock.advance(1);
      }
      assert.equal(await server.store.countFamilies({ userId: user, clientId: 'backend' }, server.clock.now()), 200);
      const newest = await issueRefreshToken(server, { userId: user, scope: 'offline_access' });
      assert.equal(await server.store.countFamilies({ userId: user, clientId: 'backend' }, server.clock.now()), 200);
      const oldest = await server.store.findFamily(familyIdOf(tokens[0]!));
      assert.equal(oldest?.revokedReason, 'limit');
      assert.deepEqual((await refresh(server, tokens[0]!)).body, INVALID_GRANT);
      assert.equal((await refresh(server, tokens[1]!)).status, 200);
      assert.equal((await refresh(server, newest)).status, 200);
      assert.equal((await refresh(server, other)).status, 200);
      assert.equal((await refresh(server, otherClient, { clientId: 'backend-static' })).status, 200);
    });
  });
}
