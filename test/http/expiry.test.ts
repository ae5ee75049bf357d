import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

// Fixture client `backend`: expiring, token_lifetime 86400 s (absolute), idle_token_lifetime 3600 s.
const HOUR = 3600;

for (const kind of STORES) {
  describe(`idle and absolute expiry (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a token unused for longer than the idle lifetime is refused', async () => {
      const t0 = await issueRefreshToken(server);
      server.clock.advanceSeconds(HOUR - 1);
      const r1 = await refresh(server, t0);
      assert.equal(r1.status, 200);
      server.clock.advanceSeconds(HOUR + 1);
      const r2 = await refresh(server, r1.body.refresh_token!);
      assert.deepEqual([r2.status, r2.body], [403, INVALID_GRANT]);
    });

    test('idle expiry slides on each exchange, the absolute expiry never moves', async () => {
      const issuedAt = server.clock.now();
      let token = await issueRefreshToken(server);
      const id = familyIdOf(token);
      const initial = await server.store.findFamily(id);
      assert.equal(initial?.expiresAt, issuedAt + 86_400_000);
      assert.equal(initial?.idleExpiresAt, issuedAt + HOUR * 1000);
      // Exchange every 50 minutes: never idle long enough to expire, but the family still dies at 24 h.
      let exchanges = 0;
      for (;;) {
        server.clock.advanceSeconds(50 * 60);
        const r = await refresh(server, token);
        if (r.status !== 200) {
          assert.deepEqual([r.status, r.body], [403, INVALID_GRANT]);
          break;
        }
        exchanges++;
        token = r.body.refresh_token!;
        const fam = await server.store.findFamily(id);
        assert.equal(fam?.expiresAt, issuedAt + 86_400_000, 'absolute expiry is fixed at issuance');
        assert.equal(fam?.idleExpiresAt, Math.min(server.clock.now() + HOUR * 1000, issuedAt + 86_400_000), 'idle slides, capped by absolute');
      }
      assert.equal(exchanges, 28, '24 h / 50 min = 28 exchanges before the absolute expiry');
      assert.ok(server.clock.now() >= issuedAt + 86_400_000);
    });

    test('non-expiring tokens have neither expiry and keep working', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-forever' });
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.expiresAt, null);
      assert.equal(fam?.idleExpiresAt, null);
      server.clock.advanceSeconds(400 * 24 * HOUR);
      const r = await refresh(server, t0, { clientId: 'backend-forever' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.refresh_token, undefined, 'Auth0 default: non-rotating');
    });

    test('an expired token does not revoke its family (expiry is not reuse)', async () => {
      const t0 = await issueRefreshToken(server);
      server.clock.advanceSeconds(2 * HOUR);
      assert.equal((await refresh(server, t0)).status, 403);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedAt, null);
      assert.equal(server.events.at(-1)?.details?.failure_reason, 'expired');
    });
  });
}
