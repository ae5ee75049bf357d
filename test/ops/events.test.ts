import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { EventRecorder } from '../../src/events/event-recorder.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, issueRefreshToken, refresh } from '../helpers/tokens.js';
import { sample } from '../helpers/prometheus.js';

for (const kind of STORES) {
  describe(`security events are stored with Auth0's log types (${kind})`, () => {
    let server: TestServer;
    const secrets: string[] = [];
    let stored: StoredEvent[] = [];
    let familyId = '';

    before(async () => {
      server = await startServer(kind, { recordEvents: true });
      const issued = await exchange(server, { userId: 'auth0|evt', headers: { 'user-agent': 'EventAgent/1', 'auth0-forwarded-for': '198.51.100.9' } });
      const t0 = issued.body.refresh_token!;
      familyId = familyIdOf(t0);
      const r1 = await refresh(server, t0);
      const t1 = r1.body.refresh_token!;
      await refresh(server, t0); // reuse → ferrt, family revoked
      await refresh(server, t1); // revoked → fertft
      const other = await exchange(server, { userId: 'auth0|evt' });
      await post(server, '/oauth/revoke', { client_id: 'backend', client_secret: secretOf('backend'), token: other.body.refresh_token! });
      const cc = await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API });
      await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: 'https://nowhere' });
      secrets.push(t0, t1, other.body.refresh_token!, issued.body.access_token, r1.body.access_token, cc.body.access_token as string, secretOf('backend'), secretOf('m2m'));
      await server.recorder!.flush();
      stored = await server.store.listEvents({ limit: 100 });
    });
    after(() => server.close());

    const ofType = (type: string) => stored.filter((e) => e.type === type);

    test('issuance, exchange, reuse, failed exchange, revocation and client credentials are each recorded', () => {
      assert.deepEqual(
        [...new Set(stored.map((e) => e.type))].sort(),
        ['feccft', 'ferrt', 'fertft', 'seccft', 'secte', 'sertft', 'srrt'],
      );
      assert.equal(ofType('secte').length, 2);
      assert.equal(ofType('sertft').length, 1);
    });

    test('events carry the fields Auth0 logs carry', () => {
      const issued = ofType('secte').find((e) => e.details?.familyId === familyId);
      assert.equal(issued!.clientId, 'backend');
      assert.equal(issued!.userId, 'auth0|evt');
      assert.equal(issued!.ip, '198.51.100.9');
      assert.equal(issued!.userAgent, 'EventAgent/1');
      assert.equal(issued!.details?.familyId, familyId);
      assert.deepEqual(ofType('ferrt')[0]!.details, { familyId, latestCounter: 1, tokenCounter: 0 });
      assert.equal(ofType('sertft')[0]!.details?.familyId, familyId);
      assert.equal(ofType('sertft')[0]!.details?.tokenCounter, 0);
      assert.equal(ofType('fertft')[0]!.details?.failure_reason, 'revoked');
      assert.equal(typeof ofType('srrt')[0]!.details?.credential_id, 'string');
    });

    test('log ids sort by time and paging by checkpoint returns each event once', async () => {
      const ids = stored.map((e) => e.logId);
      assert.deepEqual([...ids].sort(), ids);
      const firstPage = await server.store.listEvents({ limit: 3 });
      const rest = await server.store.listEvents({ limit: 100, afterLogId: firstPage.at(-1)!.logId });
      assert.deepEqual([...firstPage, ...rest].map((e) => e.logId), ids);
      assert.equal(await server.store.countEvents({ type: 'secte' }), 2);
    });

    test('events never contain a token or a secret', () => {
      const text = JSON.stringify(stored);
      for (const s of secrets) assert.ok(!text.includes(s), `secret in events: ${s.slice(0, 10)}…`);
    });
  });
}

describe('successful refreshes are not stored by default, but are passed on', () => {
  test('the server default keeps sertft out of the database and hands it to onNotStored; with storeRefreshes it is stored', async () => {
    const server = await startServer('sqlite');
    try {
      const passed: StoredEvent[] = [];
      const recorder = new EventRecorder(server.store, { logger: silentLogger, onNotStored: (e) => passed.push(e) });
      const keeping = new EventRecorder(server.store, { logger: silentLogger, storeRefreshes: true });
      const at = server.clock.now();
      for (const r of [recorder, keeping]) {
        r.emit({ type: 'secte', date: at, description: 'issued', clientId: 'backend', userId: 'u' });
        r.emit({ type: 'sertft', date: at + 1, description: 'exchanged', clientId: 'backend', userId: 'u', details: { familyId: 'f', tokenCounter: 0 } });
        await r.flush();
      }
      const types = (await server.store.listEvents({ limit: 10 })).map((e) => e.type).sort();
      assert.deepEqual(types, ['secte', 'secte', 'sertft'], 'one sertft, from the recorder asked to store it');
      assert.equal(passed.length, 1);
      assert.equal(passed[0]!.type, 'sertft');
      assert.match(passed[0]!.logId, /\S/);
    } finally {
      await server.close();
    }
  });
});

// Issue 11 §3.3: every `refresh_token=junk` naming a public client (no secret needed) stored one row, kept for 30
// days, so hostile traffic could grow the database at its request rate.
for (const kind of STORES) {
  describe(`failures that name no family are counted, and stored only aggregated (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { recordEvents: { storeRefreshes: false }, metrics: true });
    });
    after(() => server.close());

    const junk = (i: number) => post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: `junk-${i}` });
    const fertft = async () => (await server.store.listEvents({ limit: 1000, type: 'fertft' }));

    test('60 junk refreshes store one summary row with their count; the counter sees all 60', async () => {
      for (let i = 0; i < 60; i++) assert.equal((await junk(i)).status, 403);
      await server.recorder!.flush();
      assert.equal((await fertft()).length, 0, 'nothing stored while the window is open');
      server.clock.advanceSeconds(61);
      await server.recorder!.flush();
      const rows = await fertft();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.clientId, 'spa');
      assert.equal(rows[0]!.userId, null);
      assert.deepEqual(
        { ...rows[0]!.details, first_at: undefined, last_at: undefined },
        { failure_reason: 'malformed', aggregated: true, count: 60, ips: ['127.0.0.1'], first_at: undefined, last_at: undefined },
      );
      assert.match(rows[0]!.description, /60× between .* aggregated/);
      const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      assert.equal(sample(text, 'refreshd_refreshes_total', { outcome: 'malformed' }), 60);
      assert.equal(sample(text, 'refreshd_security_events_total', { type: 'fertft' }), 60);
    });

    test('another window, another row: the rows grow with time, not with the request rate', async () => {
      const before = (await fertft()).length;
      for (let i = 0; i < 30; i++) await junk(i);
      server.clock.advanceSeconds(30);
      for (let i = 0; i < 30; i++) await junk(i);
      server.clock.advanceSeconds(31);
      await server.recorder!.flush();
      const added = (await fertft()).slice(before);
      assert.equal(added.length, 1);
      assert.equal(added[0]!.details?.count, 60);
    });

    test('failures naming a real family, and reuse, are still stored one by one; shutdown stores open summaries', async () => {
      const t0 = await issueRefreshToken(server, { clientId: 'backend' });
      const t1 = (await refresh(server, t0)).body.refresh_token!;
      await refresh(server, t0); // reuse: ferrt, family revoked
      await refresh(server, t1); // revoked: fertft naming the family
      await refresh(server, t1);
      // A real token presented by another client names no family of that client: aggregated too.
      await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'spa', refresh_token: t1 });
      await junk(0);
      await server.recorder!.flush();
      const stored = await server.store.listEvents({ limit: 1000 });
      const familyId = familyIdOf(t0);
      assert.equal(stored.filter((e) => e.type === 'ferrt' && e.details?.familyId === familyId).length, 1);
      assert.equal(stored.filter((e) => e.type === 'fertft' && e.details?.familyId === familyId && e.details?.failure_reason === 'revoked').length, 2);
      assert.equal(stored.filter((e) => e.details?.aggregated === true && e.details?.failure_reason === 'other_client').length, 0, 'still in its window');
      await server.recorder!.stop();
      const after = await server.store.listEvents({ limit: 1000 });
      const summaries = after.filter((e) => e.details?.aggregated === true).slice(-2);
      assert.deepEqual(summaries.map((e) => e.details?.failure_reason).sort(), ['malformed', 'other_client']);
      assert.deepEqual(summaries.map((e) => e.details?.count), [1, 1]);
    });
  });
}
