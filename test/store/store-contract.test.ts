import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { randomId } from '../../src/core/ids.js';
import { isLiveFamily, isLiveSession } from '../../src/core/liveness.js';
import type { TokenFamily } from '../../src/core/types.js';
import type { Store } from '../../src/ports/store.js';
import { sha256 } from '../../src/tokens/refresh-token.js';
import { familyRecord, sessionRecord } from '../helpers/records.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const NOW = Date.UTC(2026, 5, 1);

const family = (overrides: Partial<TokenFamily> = {}): TokenFamily => familyRecord(NOW, overrides);

for (const kind of STORES) {
  describe(`store contract (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(kind);
      store = db.open();
      await store.migrate();
    });
    after(async () => {
      await store.close();
      await db.drop();
    });

    test('migrations are idempotent, also from a second connection', async () => {
      await store.migrate();
      const second = db.open();
      await second.migrate();
      await second.close();
    });

    test('a family round-trips unchanged', async () => {
      const f = family({ sessionId: 's1', scope: ['openid', 'offline_access'], expiresAt: NOW + 1000, idleExpiresAt: NOW + 500, metadata: { a: 'b' } });
      await store.createFamily(f, { maxActive: 200, now: NOW });
      const found = await store.findFamily(f.id);
      assert.deepEqual({ ...found, metadata: { ...found?.metadata } }, f);
    });

    test('exchange is a compare-and-set: of 20 concurrent exchanges of one generation exactly one applies', async () => {
      const f = family();
      await store.createFamily(f, { maxActive: 200, now: NOW });
      const attempts = Array.from({ length: 20 }, (_, i) =>
        store.exchangeFamily({
          familyId: f.id,
          clientId: f.clientId,
          presentedGeneration: 0,
          presentedHash: f.currentHash,
          now: NOW + 1,
          idleExpiresAt: null,
          rotating: true,
          next: { currentHash: sha256(Buffer.from(String(i))), successorBox: null },
          lastIp: `192.0.2.${i}`,
          lastUserAgent: null,
        }),
      );
      const results = await Promise.all(attempts);
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const stored = await store.findFamily(f.id);
      assert.equal(stored?.generation, 1);
      assert.deepEqual(stored?.previousHash, f.currentHash);
      assert.deepEqual(stored?.currentHash, winners[0]!.currentHash);
    });

    test('exchange does not apply to a wrong digest, another client, a revoked or an expired family', async () => {
      const base = family({ expiresAt: NOW + 10_000 });
      await store.createFamily(base, { maxActive: 200, now: NOW });
      const x = { familyId: base.id, clientId: base.clientId, presentedGeneration: 0, presentedHash: base.currentHash, now: NOW, idleExpiresAt: null, rotating: true, next: null, lastIp: null, lastUserAgent: null };
      assert.equal(await store.exchangeFamily({ ...x, presentedHash: sha256('other') }), null);
      assert.equal(await store.exchangeFamily({ ...x, clientId: 'client-2' }), null);
      assert.equal(await store.exchangeFamily({ ...x, presentedGeneration: 1 }), null);
      assert.equal(await store.exchangeFamily({ ...x, now: NOW + 10_000 }), null);
      assert.notEqual(await store.exchangeFamily(x), null);
      assert.equal(await store.revokeFamily(base.id, NOW, 'test'), true);
      assert.equal(await store.revokeFamily(base.id, NOW, 'again'), false, 'only the first revocation counts');
      assert.equal(await store.exchangeFamily(x), null);
    });

    test('the store and core/liveness agree on what is live, at every boundary', async () => {
      const user = `live-${randomId()}`;
      const cases: Partial<TokenFamily>[] = [];
      for (const expiresAt of [null, NOW - 1, NOW, NOW + 1]) {
        for (const idleExpiresAt of [null, NOW - 1, NOW, NOW + 1]) {
          for (const revokedAt of [null, NOW - 1]) cases.push({ userId: user, expiresAt, idleExpiresAt, revokedAt });
        }
      }
      for (const c of cases) {
        const f = family(c);
        await store.createFamily(f, { maxActive: 1000, now: NOW - 10 });
        const listed = (await store.listFamilies({ ids: [f.id] }, { limit: 10 }, NOW)).length === 1;
        const exchanged =
          (await store.exchangeFamily({ familyId: f.id, clientId: f.clientId, presentedGeneration: 0, presentedHash: f.currentHash, now: NOW, idleExpiresAt: null, rotating: false, next: null, lastIp: null, lastUserAgent: null })) !== null;
        const expected = isLiveFamily(f, NOW);
        assert.equal(listed, expected, `listing ${JSON.stringify(c)}`);
        assert.equal(exchanged, expected, `exchange ${JSON.stringify(c)}`);
      }
      for (const expiresAt of [null, NOW, NOW + 1]) {
        for (const idleExpiresAt of [null, NOW, NOW + 1]) {
          const s = sessionRecord(NOW - 10, { userId: user, expiresAt, idleExpiresAt });
          await store.createSession(s);
          const listed = (await store.listSessions(user, { limit: 100 }, NOW)).some((x) => x.id === s.id);
          assert.equal(listed, isLiveSession(s, NOW), `session ${JSON.stringify({ expiresAt, idleExpiresAt })}`);
        }
      }
    });

    test('the new idle expiry is capped at the absolute expiry', async () => {
      const f = family({ expiresAt: NOW + 5_000, idleExpiresAt: NOW + 1_000 });
      await store.createFamily(f, { maxActive: 200, now: NOW });
      const r = await store.exchangeFamily({ familyId: f.id, clientId: f.clientId, presentedGeneration: 0, presentedHash: f.currentHash, now: NOW + 500, idleExpiresAt: NOW + 60_000, rotating: false, next: null, lastIp: null, lastUserAgent: null });
      assert.equal(r?.idleExpiresAt, NOW + 5_000);
      assert.equal(r?.expiresAt, NOW + 5_000);
    });

    test('listing is keyset-paginated by (createdAt, id) over active families only', async () => {
      const user = `list-${randomId()}`;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const f = family({ userId: user, createdAt: NOW + (i % 3) });
        ids.push(f.id);
        await store.createFamily(f, { maxActive: 200, now: NOW });
      }
      await store.revokeFamily(ids[2]!, NOW, 'test');
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.listFamilies({ userId: user }, { after, limit: 2 }, NOW);
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.id));
        const last = page.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      assert.equal(seen.length, 6);
      assert.ok(!seen.includes(ids[2]!));
      assert.equal(new Set(seen).size, 6);
      assert.equal(await store.countFamilies({ userId: user }, NOW), 6);
    });

    test('revokeFamilies filters by user, client, audience and session', async () => {
      const user = `rv-${randomId()}`;
      const a = family({ userId: user, clientId: 'c1', audience: 'https://a', sessionId: 's-a' });
      const b = family({ userId: user, clientId: 'c1', audience: 'https://b' });
      const c = family({ userId: user, clientId: 'c2', audience: 'https://a' });
      for (const f of [a, b, c]) await store.createFamily(f, { maxActive: 200, now: NOW });
      assert.equal(await store.revokeFamilies({ userId: user, clientId: 'c1', audience: 'https://b' }, NOW, 't'), 1);
      assert.equal(await store.revokeFamilies({ sessionId: 's-a' }, NOW, 't'), 1);
      assert.equal(await store.revokeFamilies({ userId: user }, NOW, 't'), 1);
      await assert.rejects(store.revokeFamilies({}, NOW, 't'), TypeError, 'an unfiltered revoke-all is refused');
    });

    test('metadata keys such as __proto__ and constructor are plain data', async () => {
      const f = family();
      await store.createFamily(f, { maxActive: 200, now: NOW });
      const md = JSON.parse('{"__proto__":"x","constructor":"y","ok":"z"}') as Record<string, string>;
      const updated = await store.updateFamilyMetadata(f.id, md, NOW);
      assert.equal(Object.getPrototypeOf(updated!.metadata), null);
      assert.deepEqual(Object.keys(updated!.metadata).sort(), ['__proto__', 'constructor', 'ok']);
      assert.equal(updated!.metadata['__proto__'], 'x');
      assert.equal(({} as Record<string, unknown>).x, undefined);
    });

    test('server secrets are created once, even when instances race', async () => {
      const name = `s-${randomId()}`;
      const values = await Promise.all(Array.from({ length: 8 }, () => store.getOrCreateSecret(name, () => randomBytes(32), NOW)));
      assert.equal(new Set(values.map((v) => v.toString('hex'))).size, 1);
    });

    test('sessions: create, touch with a new client, list, delete', async () => {
      const user = `su-${randomId()}`;
      const s = { id: randomId(), userId: user, createdAt: NOW, updatedAt: NOW, authenticatedAt: NOW, lastInteractedAt: NOW, idleExpiresAt: null, expiresAt: null, device: { initialIp: null, initialUserAgent: null, lastIp: null, lastUserAgent: null }, clients: ['c1'], metadata: {} };
      await store.createSession(s);
      const touched = await store.touchSession(s.id, { clientId: 'c2', now: NOW + 5, lastIp: '192.0.2.9', lastUserAgent: 'x' });
      assert.deepEqual(touched?.clients, ['c1', 'c2']);
      assert.equal(touched?.lastInteractedAt, NOW + 5);
      assert.equal((await store.listSessions(user, { limit: 10 }, NOW)).length, 1);
      assert.equal(await store.countSessions(user, NOW), 1);
      assert.equal(await store.deleteSessionsOfUser(user), 1);
      assert.equal(await store.findSession(s.id), null);
    });

    test('touching a session from 12 clients at once keeps every client (compare-and-set, no lost update)', async () => {
      const s = sessionRecord(NOW, { clients: ['c0'] });
      await store.createSession(s);
      const clients = Array.from({ length: 12 }, (_, i) => `c${i + 1}`);
      const touched = await Promise.all(clients.map((c, i) => store.touchSession(s.id, { clientId: c, now: NOW + i, lastIp: null, lastUserAgent: null })));
      for (const [i, t] of touched.entries()) assert.ok(t?.clients.includes(clients[i]!), `the session returned to ${clients[i]} names it`);
      const stored = await store.findSession(s.id);
      assert.deepEqual([...stored!.clients].sort(), ['c0', ...clients].sort());
      assert.equal(await store.touchSession(randomId(), { clientId: 'c1', now: NOW, lastIp: null, lastUserAgent: null }), null);
    });

    test('revoking a client\'s families: every live one across users, in batches, nothing of another client', async () => {
      const client = `cl-${randomId()}`;
      const mine = Array.from({ length: 10 }, (_, i) => family({ clientId: client, userId: `u${i % 4}` }));
      const earlier = family({ clientId: client });
      const other = family({ clientId: `other-${randomId()}` });
      for (const f of [...mine, earlier, other]) await store.createFamily(f, { maxActive: 200, now: NOW });
      await store.revokeFamily(earlier.id, NOW, 'earlier');
      assert.equal(await store.revokeClientFamilies(client, NOW + 5, 'client_revoked', 3), 10);
      for (const f of mine) {
        const stored = await store.findFamily(f.id);
        assert.deepEqual([stored?.revokedAt, stored?.revokedReason], [NOW + 5, 'client_revoked']);
      }
      assert.equal((await store.findFamily(earlier.id))?.revokedReason, 'earlier', 'an earlier revocation keeps its reason');
      assert.equal((await store.findFamily(other.id))?.revokedAt, null, 'another client is untouched');
      assert.equal(await store.revokeClientFamilies(client, NOW + 6, 'again', 3), 0);
    });

    test('a family and its new session are written together: when the family cannot be written, neither is', async () => {
      const existing = family();
      await store.createFamily(existing, { maxActive: 200, now: NOW });
      const s = sessionRecord(NOW, { userId: existing.userId });
      // The same family id again: the insert fails after the session's insert in the same transaction.
      await assert.rejects(store.createFamily({ ...existing, sessionId: s.id }, { maxActive: 200, now: NOW, session: s }));
      assert.equal(await store.findSession(s.id), null, 'the session was rolled back with the family');
      const f = family({ sessionId: s.id });
      await store.createFamily(f, { maxActive: 200, now: NOW, session: s });
      assert.equal((await store.findSession(s.id))?.id, s.id);
      assert.equal((await store.findFamily(f.id))?.sessionId, s.id);
    });
  });
}
