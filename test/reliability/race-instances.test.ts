import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { secretOf } from '../helpers/fixtures.js';
import { fixtureDir, startInstance } from '../helpers/instances.js';
import type { ServerProcess } from '../helpers/process.js';
import { post, type HttpResult } from '../helpers/server.js';
import { inBatches, reportFigures, scaled } from '../helpers/soak.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh, type TokenBody } from '../helpers/tokens.js';

const TRIALS = scaled(150, 3000);
const CONCURRENT_TRIALS = 8;

const revoke = (server: { baseUrl: string }, clientId: string, token: string) =>
  post(server, '/oauth/revoke', { client_id: clientId, client_secret: secretOf(clientId), token });

/** 2–5 refreshes of one token, spread over both instances, all in flight at once. */
function racers(servers: ServerProcess[], trial: number): ServerProcess[] {
  return Array.from({ length: 2 + (trial % 4) }, (_, i) => servers[(i + trial) % 2]!);
}

for (const kind of STORES) {
  describe(`two refreshd processes on one ${kind} database: races never fork a family`, () => {
    let db: TestDatabase;
    let store: Store;
    const files = fixtureDir();
    const servers: ServerProcess[] = [];

    before(async () => {
      db = await createTestDatabase(kind);
      // One after the other: the first applies the migrations and creates the shared keys.
      servers.push(await startInstance({ ...files, databaseUrl: db.url }));
      servers.push(await startInstance({ ...files, databaseUrl: db.url }));
      store = db.open();
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await store?.close();
      await db?.drop();
      files.remove();
    });

    test('the instances share keys and tokens: a token issued by one refreshes on the other', async () => {
      const t0 = await issueRefreshToken(servers[0]!);
      const r = await refresh(servers[1]!, t0);
      assert.equal(r.status, 200, r.text);
      assert.equal((await refresh(servers[0]!, r.body.refresh_token!)).status, 200);
    });

    test(`leeway 0: ${TRIALS} races of one token across both instances: exactly one 200, the family revoked`, async (t) => {
      let requests = 0;
      await inBatches([...Array(TRIALS).keys()], CONCURRENT_TRIALS, async (trial) => {
        const t0 = await issueRefreshToken(servers[trial % 2]!);
        const results = await Promise.all(racers(servers, trial).map((s) => refresh(s, t0)));
        requests += results.length;
        const ok = results.filter((r) => r.status === 200);
        assert.equal(ok.length, 1, `trial ${trial}: ${results.map((r) => r.status).join(',')}`);
        for (const r of results.filter((x) => x.status !== 200)) assert.deepEqual([r.status, r.body], [403, INVALID_GRANT]);
        // A loser's reuse revoked the family, so the winner's successor is dead too: no live lineage survives.
        for (const s of servers) assert.equal((await refresh(s, ok[0]!.body.refresh_token!)).status, 403);
        const fam = await store.findFamily(familyIdOf(t0));
        assert.equal(fam?.generation, 1);
        assert.equal(fam?.revokedReason, 'reuse');
      });
      reportFigures(t, `race-leeway0-${kind}`, { trials: TRIALS, requests, forks: 0 });
    });

    test(`leeway 30 s: ${TRIALS} races across both instances all converge on one successor`, async (t) => {
      let requests = 0;
      await inBatches([...Array(TRIALS).keys()], CONCURRENT_TRIALS, async (trial) => {
        const clientId = 'backend-leeway';
        const t0 = await issueRefreshToken(servers[trial % 2]!, { clientId });
        const results = await Promise.all(racers(servers, trial).map((s) => refresh(s, t0, { clientId })));
        requests += results.length;
        assert.deepEqual(results.map((r) => r.status), results.map(() => 200), `trial ${trial}: ${results.map((r) => r.text).join('\n')}`);
        const successors = new Set(results.map((r) => r.body.refresh_token));
        assert.equal(successors.size, 1, `trial ${trial}: ${successors.size} successors`);
        const next = await refresh(servers[(trial + 1) % 2]!, [...successors][0]!, { clientId });
        assert.equal(next.status, 200, next.text);
        const fam = await store.findFamily(familyIdOf(t0));
        assert.equal(fam?.generation, 2);
        assert.equal(fam?.revokedAt, null);
      });
      reportFigures(t, `race-leeway30-${kind}`, { trials: TRIALS, requests, forks: 0 });
    });

    test(`refresh racing /oauth/revoke on the other instance (${TRIALS} trials): the family always ends revoked and unusable`, async (t) => {
      let refreshWon = 0;
      await inBatches([...Array(TRIALS).keys()], CONCURRENT_TRIALS, async (trial) => {
        const clientId = trial % 2 === 0 ? 'backend' : 'backend-leeway';
        const [a, b] = trial % 4 < 2 ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!];
        const t0 = await issueRefreshToken(a, { clientId });
        const [refreshed, revoked] = (await Promise.all([refresh(a, t0, { clientId }), revoke(b, clientId, t0)])) as [HttpResult<TokenBody>, HttpResult];
        assert.equal(revoked.status, 200, revoked.text);
        assert.ok(refreshed.status === 200 || refreshed.status === 403, refreshed.text);
        const held = [t0];
        if (refreshed.status === 200) {
          refreshWon++;
          held.push(refreshed.body.refresh_token!);
        }
        for (const token of held) for (const s of servers) assert.deepEqual((await refresh(s, token, { clientId })).body, INVALID_GRANT);
        const fam = await store.findFamily(familyIdOf(t0));
        assert.notEqual(fam?.revokedAt, null, `trial ${trial}: family not revoked`);
      });
      reportFigures(t, `race-revoke-${kind}`, { trials: TRIALS, refreshFirst: refreshWon, revokeFirst: TRIALS - refreshWon, usableAfterRevoke: 0 });
    });
  });
}
