import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh, verifyAccessToken } from '../helpers/tokens.js';

for (const kind of STORES) {
  describe(`rotation, reuse detection and leeway (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('a rotating client gets a new refresh token on every exchange; the family id stays', async () => {
      const t0 = await issueRefreshToken(server);
      const r1 = await refresh(server, t0);
      assert.equal(r1.status, 200, r1.text);
      assert.equal(r1.headers.get('cache-control'), 'no-store');
      const t1 = r1.body.refresh_token!;
      assert.notEqual(t1, t0);
      assert.equal(familyIdOf(t1), familyIdOf(t0));
      const claims = await verifyAccessToken(server, r1.body.access_token, API);
      assert.equal(claims.sub, 'auth0|user-1');
      const r2 = await refresh(server, t1);
      assert.equal(r2.status, 200);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 2);
    });

    test('replaying a rotated refresh token revokes its whole family, newest token included', async () => {
      const t0 = await issueRefreshToken(server);
      const t1 = (await refresh(server, t0)).body.refresh_token!;
      const t2 = (await refresh(server, t1)).body.refresh_token!;
      const replay = await refresh(server, t0);
      assert.equal(replay.status, 403);
      assert.deepEqual(replay.body, INVALID_GRANT);
      const newest = await refresh(server, t2);
      assert.equal(newest.status, 403);
      assert.deepEqual(newest.body, INVALID_GRANT);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedReason, 'reuse');
      const ferrt = server.events.find((e) => e.type === 'ferrt' && e.details?.familyId === fam?.id);
      assert.deepEqual(ferrt?.details, { familyId: fam?.id, latestCounter: 2, tokenCounter: 0 });
    });

    test('without leeway, even the immediate predecessor is reuse', async () => {
      const t0 = await issueRefreshToken(server);
      const t1 = (await refresh(server, t0)).body.refresh_token!;
      assert.equal((await refresh(server, t0)).status, 403);
      assert.equal((await refresh(server, t1)).status, 403);
    });

    test('a non-rotating client keeps its token; exchanges never add rows', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-static' });
      for (let i = 0; i < 5; i++) {
        const r = await refresh(server, t0, { clientId: 'backend-static' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.refresh_token, undefined);
      }
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 0);
      assert.equal(fam?.rotating, false);
    });

    test('within leeway a retry of the previous token gets the same successor (one lineage)', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-leeway' });
      const first = await refresh(server, t0, { clientId: 'backend-leeway' });
      server.clock.advanceSeconds(10);
      const retry = await refresh(server, t0, { clientId: 'backend-leeway' });
      assert.equal(retry.status, 200, retry.text);
      assert.equal(retry.body.refresh_token, first.body.refresh_token);
      assert.notEqual(retry.body.access_token, first.body.access_token);
      const t1 = first.body.refresh_token!;
      const next = await refresh(server, t1, { clientId: 'backend-leeway' });
      assert.equal(next.status, 200);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 2);
      assert.equal(fam?.revokedAt, null);
    });

    test('after the leeway, the previous token is reuse and revokes the family', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-leeway' });
      const t1 = (await refresh(server, t0, { clientId: 'backend-leeway' })).body.refresh_token!;
      server.clock.advanceSeconds(31);
      assert.equal((await refresh(server, t0, { clientId: 'backend-leeway' })).status, 403);
      assert.equal((await refresh(server, t1, { clientId: 'backend-leeway' })).status, 403);
    });

    test('within leeway, the second-to-last token is still reuse', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-leeway' });
      const t1 = (await refresh(server, t0, { clientId: 'backend-leeway' })).body.refresh_token!;
      const t2 = (await refresh(server, t1, { clientId: 'backend-leeway' })).body.refresh_token!;
      assert.equal((await refresh(server, t0, { clientId: 'backend-leeway' })).status, 403);
      assert.equal((await refresh(server, t2, { clientId: 'backend-leeway' })).status, 403);
    });

    test('20 concurrent refreshes of one token without leeway: one wins, the rest get 403 and the family dies', async () => {
      const t0 = await issueRefreshToken(server);
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(server, t0)));
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
      for (const r of results.filter((x) => x.status !== 200)) assert.deepEqual([r.status, r.body], [403, INVALID_GRANT]);
      // The winner's successor belongs to a family a loser revoked: it must not work.
      assert.equal((await refresh(server, ok[0]!.body.refresh_token!)).status, 403);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 1);
      assert.equal(fam?.revokedReason, 'reuse');
    });

    test('20 concurrent refreshes of one token with leeway all converge on the same successor', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend-leeway' });
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(server, t0, { clientId: 'backend-leeway' })));
      assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
      const successors = new Set(results.map((r) => r.body.refresh_token));
      assert.equal(successors.size, 1);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.generation, 1);
      const next = await refresh(server, [...successors][0]!, { clientId: 'backend-leeway' });
      assert.equal(next.status, 200, next.text);
    });

    test('tokens that were never issued are refused without touching any family', async () => {
      const t0 = await issueRefreshToken(server);
      const forged = [
        'rfd_rt_garbage',
        t0.slice(0, -2) + (t0.endsWith('AA') ? 'BA' : 'AA'),
        t0.slice(0, 20) + (t0[20] === 'x' ? 'y' : 'x') + t0.slice(21),
        t0.toUpperCase(),
        '',
      ];
      for (const f of forged) {
        const r = await refresh(server, f);
        if (f === '') assert.equal(r.status, 400);
        else assert.deepEqual([r.status, r.body], [403, INVALID_GRANT], f);
      }
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.revokedAt, null);
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('another client cannot use a refresh token, and its attempt does not revoke the family', async () => {
      const t0 = await issueRefreshToken(server);
      const r = await refresh(server, t0, { clientId: 'backend-static' });
      assert.deepEqual([r.status, r.body], [403, INVALID_GRANT]);
      assert.equal((await refresh(server, t0)).status, 200);
    });

    test('exchanges update last_exchanged_at and the last device', async () => {
      const t0 = await issueRefreshToken(server, { headers: { 'user-agent': 'First/1', 'auth0-forwarded-for': '198.51.100.1' } });
      server.clock.advanceSeconds(5);
      const at = server.clock.now();
      await refresh(server, t0, { headers: { 'user-agent': 'Second/2', 'auth0-forwarded-for': '198.51.100.2, 10.0.0.1' } });
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.lastExchangedAt, at);
      assert.deepEqual(fam?.device, { initialIp: '198.51.100.1', initialUserAgent: 'First/1', lastIp: '198.51.100.2', lastUserAgent: 'Second/2' });
    });

    test('a public client never sets the end user\'s IP, even if stored as trusted (anyone can send its client_id)', async () => {
      // The configuration file and the CLI refuse this combination; a row written some other way must not matter.
      const spa = await server.store.findClient('spa');
      await server.store.upsertClient({ ...spa!, clientId: 'spa-flagged', isTokenEndpointIpHeaderTrusted: true });
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa-flagged' });
      const r = await refresh(server, t0, { clientId: 'spa-flagged', publicClient: true, headers: { 'auth0-forwarded-for': '203.0.113.66' } });
      assert.equal(r.status, 200, r.text);
      const fam = await server.store.findFamily(familyIdOf(t0));
      assert.equal(fam?.device.lastIp, '127.0.0.1');
    });
  });
}
