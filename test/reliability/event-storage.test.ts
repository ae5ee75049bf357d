import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { newEventId } from '../../src/core/event-ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { EventRecorder } from '../../src/events/event-recorder.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { sample } from '../helpers/prometheus.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

// Issue 11 §3.1: a NUL byte copied from a request into a security event made PostgreSQL refuse the whole batch,
// which was retried forever, so no event (and no webhook delivery) was stored after it.
for (const kind of STORES) {
  describe(`one bad event never stops event storage (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { recordEvents: true, metrics: true });
    });
    after(() => server.close());

    const m2m = { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m') };
    const exchange = {
      grant_type: TOKEN_EXCHANGE_GRANT,
      client_id: 'backend',
      client_secret: secretOf('backend'),
      subject_token_type: USER_ID_TOKEN_TYPE,
      audience: API,
      scope: 'openid offline_access',
    };

    test('a NUL (or any control character) in a parameter is refused at the edge, and events keep being stored', async () => {
      const before = (await server.store.listEvents({ limit: 1000 })).length;
      const hostile: Record<string, string>[] = [
        { ...m2m, audience: `${API}\u0000` },
        { ...m2m, audience: 'https://nowhere\u0000.example' },
        { ...exchange, subject_token: 'auth0|victim\u0000' },
        { ...exchange, subject_token: 'auth0|\u0001bell' },
        { ...exchange, subject_token: 'auth0|x', session_id: 'sid\u0000' },
        { ...m2m, audience: API, scope: 'read:data\u0000' },
      ];
      for (const params of hostile) {
        for (const json of [false, true]) {
          const r = await post(server, '/oauth/token', params, { json });
          assert.equal(r.status, 400, `${JSON.stringify(params)}: ${r.text}`);
          assert.equal(r.body.error, 'invalid_request');
          assert.match(String(r.body.error_description), /must not contain control characters/);
        }
      }
      // Events after the hostile requests are stored.
      assert.equal((await post(server, '/oauth/token', { ...m2m, audience: API })).status, 200);
      assert.equal((await post(server, '/oauth/token', { ...exchange, subject_token: 'auth0|after' })).status, 200);
      await server.recorder!.flush();
      const events = await server.store.listEvents({ limit: 1000 });
      assert.deepEqual(events.slice(before).map((e) => e.type).sort(), ['seccft', 'secte']);
      assert.equal(server.recorder!.queued, 0);
    });

    test('a row the database refuses is dropped and counted; the rows behind it are stored, in order', async () => {
      let rejected: StoredEvent[] = [];
      const recorder = new EventRecorder(server.store, { logger: silentLogger, batchSize: 50, onRejected: (e) => (rejected = [...rejected, ...e]) });
      const at = server.clock.now();
      const good = (i: number): StoredEvent => ({ logId: newEventId(at + i), type: 'sapi', date: at + i, description: `good ${i}`, clientId: 'c', details: { i } });
      // Refused by both stores (description is NOT NULL) and, on PostgreSQL, a NUL in text.
      const nullDescription = { ...good(1000), description: null as unknown as string, clientId: 'null-description' };
      const nul = { ...good(1001), description: 'nul \u0000 inside', userId: 'auth0|\u0000', clientId: 'nul' };
      const batch = [good(0), good(1), nullDescription, ...Array.from({ length: 40 }, (_, i) => good(2 + i)), nul, good(99)].map((e, i) => ({ ...e, date: at + i }));
      for (const e of batch) recorder.emit(e);
      await recorder.flush();
      assert.equal(recorder.queued, 0, 'nothing left queued behind the bad rows');
      const expectedRejected = kind === 'postgres' ? ['null-description', 'nul'] : ['null-description'];
      assert.deepEqual(rejected.map((e) => e.clientId), expectedRejected);
      const stored = (await server.store.listEvents({ limit: 1000 })).filter((e) => e.type === 'sapi');
      const expectedStored = batch.filter((e) => !expectedRejected.includes(e.clientId!)).map((e) => e.description);
      assert.deepEqual(stored.map((e) => e.description), expectedStored, 'every other row stored, in order');
    });

    test('the server counts refused rows in /metrics', async () => {
      const at = server.clock.now();
      server.recorder!.emit({ type: 'sapi', date: at, description: null as unknown as string, clientId: 'c' });
      server.recorder!.emit({ type: 'sapi', date: at, description: 'fine', clientId: 'c' });
      await server.recorder!.flush();
      const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      assert.equal(sample(text, 'refreshd_security_events_dropped_total', { reason: 'refused' }), 1);
      assert.equal(sample(text, 'refreshd_security_events_dropped_total', { reason: 'queue_full' }), 0);
    });
  });
}
