import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { OTHER_API } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

// Issue 11 §2 "Refresh order": the token is judged before anything it asks for, and nothing is written before
// the request is known to succeed.
for (const kind of STORES) {
  describe(`refresh: validate, then decide, then write (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a revoked token asking for a wider scope gets invalid_grant, not invalid_scope', async () => {
      const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
      assert.equal(await server.store.revokeFamily(familyIdOf(t0), server.clock.now(), 'test'), true);
      const r = await refresh(server, t0, { scope: 'read:data write:data' });
      assert.equal(r.status, 403, r.text);
      assert.deepEqual(r.body, INVALID_GRANT);
    });

    test('an expired token naming an audience no policy allows gets invalid_grant, not access_denied', async () => {
      const t0 = await issueRefreshToken(server);
      server.clock.advance(3_601_000); // past the fixture's one-hour idle lifetime
      const r = await refresh(server, t0, { audience: OTHER_API });
      assert.equal(r.status, 403, r.text);
      assert.deepEqual(r.body, INVALID_GRANT);
    });

    test('a rotated token coming back with a wider scope is reuse: the family is revoked and ferrt recorded', async () => {
      const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
      const t1 = await refresh(server, t0);
      assert.equal(t1.status, 200, t1.text);
      const replay = await refresh(server, t0, { scope: 'read:data write:data' });
      assert.equal(replay.status, 403, replay.text);
      assert.deepEqual(replay.body, INVALID_GRANT);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedReason, 'reuse');
      assert.ok(server.events.some((e) => e.type === 'ferrt' && e.details?.familyId === fam?.id));
      assert.equal((await refresh(server, t1.body.refresh_token!)).status, 403, 'the successor dies with its family');
    });

    test('a rotated token coming back with a foreign audience is reuse too', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal((await refresh(server, t0)).status, 200);
      const replay = await refresh(server, t0, { audience: OTHER_API });
      assert.deepEqual(replay.body, INVALID_GRANT);
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.revokedReason, 'reuse');
    });

    test('access_denied decided from the family (its API is gone) does not consume the token', async () => {
      const api = `https://gone-${kind}.example.com`;
      await server.store.upsertResourceServer({
        identifier: api,
        name: api,
        scopes: ['read:data'],
        allowOfflineAccess: true,
        tokenLifetimeSeconds: 600,
        signingAlg: 'RS256',
        isSystem: false,
        proofOfPossession: null,
      });
      await server.store.upsertClientGrant({ id: `grant-${kind}`, clientId: 'backend', audience: api, scope: ['read:data'], subjectType: 'user' });
      server.refreshd.directory.invalidate();
      const t0 = await issueRefreshToken(server, { audience: api, scope: 'offline_access read:data' });
      await sql`delete from resource_servers where identifier = ${api}`.execute((server.store as SqlStore).db);
      server.refreshd.directory.invalidate();
      const before = await server.store.findFamily(familyIdOf(t0));
      const r = await refresh(server, t0);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.error, 'access_denied');
      const afterward = await server.store.findFamily(familyIdOf(t0));
      assert.equal(afterward?.generation, 0, 'a refused refresh must not rotate');
      assert.equal(afterward?.lastExchangedAt, before?.lastExchangedAt, 'nor touch the family');
      assert.equal(afterward?.revokedAt, null);
    });

    test('a refused scope leaves the family untouched (no sliding idle expiry, no last-use update)', async () => {
      const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
      const before = await server.store.findFamily(familyIdOf(t0));
      server.clock.advance(60_000);
      const r = await refresh(server, t0, { scope: 'read:data write:data', headers: { 'user-agent': 'elsewhere/1.0' } });
      assert.equal(r.body.error, 'invalid_scope');
      assert.deepEqual(await server.store.findFamily(familyIdOf(t0)), before);
    });
  });
}
