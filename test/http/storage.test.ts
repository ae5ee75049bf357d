import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { TOKEN_EXCHANGE_GRANT } from '../../src/core/types.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { dumpDatabase, rowCounts } from '../helpers/db-dump.js';
import { fixtureConfig, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, refresh } from '../helpers/tokens.js';


for (const kind of STORES) {
  describe(`what the database holds (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      // Security events stored as the server stores them by default.
      server = await startServer(kind, { recordEvents: { storeRefreshes: false } });
    });
    after(() => server.close());

    test('N refreshes of one family leave exactly one row and add none anywhere, security events included', async () => {
      const first = await exchange(server);
      const id = familyIdOf(first.body.refresh_token!);
      await server.recorder!.flush();
      const before = await rowCounts(server.store as unknown as SqlStore);
      assert.ok(before.security_events! >= 1, 'the issuance was recorded');
      let token = first.body.refresh_token!;
      for (let i = 0; i < 50; i++) token = (await refresh(server, token)).body.refresh_token!;
      for (let i = 0; i < 20; i++) await refresh(server, (await exchange(server, { clientId: 'backend-static' })).body.refresh_token!, { clientId: 'backend-static' });
      await server.recorder!.flush();
      const afterCounts = await rowCounts(server.store as unknown as SqlStore);
      // 20 issuances: a family, a session and a `secte` event each; 70 refreshes: nothing.
      assert.deepEqual(afterCounts, { ...before, token_families: before.token_families! + 20, sessions: before.sessions! + 20, security_events: before.security_events! + 20 });
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from token_families where id = ${id}`.execute((server.store as unknown as SqlStore).db);
      assert.equal(Number(rows[0]!.n), 1);
      assert.equal((await server.store.findFamily(id))?.generation, 50);
    });

    test('no refresh token, access token or client secret appears anywhere in the database in the clear', async () => {
      const needles: string[] = [];
      const config = fixtureConfig() as { clients: { client_id: string; client_secret?: string }[] };
      for (const c of config.clients) if (c.client_secret) needles.push(c.client_secret);
      for (const clientId of ['backend', 'backend-leeway', 'backend-static']) {
        const r = await exchange(server, { clientId });
        needles.push(r.body.refresh_token!, r.body.access_token);
        const r2 = await refresh(server, r.body.refresh_token!, { clientId });
        needles.push(r2.body.access_token);
        if (r2.body.refresh_token) needles.push(r2.body.refresh_token);
      }
      const cc = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: 'https://api.example.com' });
      needles.push(cc.body.access_token as string);
      // The secret part of each refresh token, in every encoding.
      for (const t of needles.filter((n) => n.startsWith('rfd_rt_'))) {
        const raw = Buffer.from(t.slice(7), 'base64url');
        const secret = raw.subarray(21, 53);
        needles.push(raw.toString('base64url'), secret.toString('hex'), secret.toString('base64url'), secret.toString('base64'));
      }
      // Access-token signatures (the part that cannot be recomputed).
      for (const t of needles.filter((n) => n.startsWith('eyJ'))) needles.push(t.split('.')[2]!);
      const dump = await dumpDatabase(server.store as unknown as SqlStore);
      assert.ok(dump.length > 1000, 'the dump has content');
      for (const n of needles) assert.ok(!dump.includes(n), `found a secret in the database: ${n.slice(0, 12)}…`);
      // And the grant type string is there (the dump is real): a sanity check that the search can succeed.
      assert.ok(dump.includes(TOKEN_EXCHANGE_GRANT));
    });
  });
}
