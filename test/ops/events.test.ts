import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { EventRecorder } from '../../src/events/event-recorder.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, refresh } from '../helpers/tokens.js';

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
