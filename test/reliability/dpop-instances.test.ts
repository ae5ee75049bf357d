import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { secretOf } from '../helpers/fixtures.js';
import { dpopRefresh, postWithProofs, tokenEndpointOf } from '../helpers/dpop.js';
import { fixtureDir, SHARED_ISSUER, startInstance } from '../helpers/instances.js';
import type { ServerProcess } from '../helpers/process.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { issueRefreshToken } from '../helpers/tokens.js';

const REDIS_URL = process.env.REFRESHD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Two `refreshd serve` processes over one database and one Redis: a DPoP proof is single-use across both, and a
// nonce one issues the other accepts (no shared state but the database's secret).
for (const kind of STORES) {
  describe(`DPoP across two instances (${kind}, Redis)`, () => {
    let db: TestDatabase;
    const files = fixtureDir();
    const servers: (ServerProcess & { issuer: string })[] = [];
    let key: KeyPair;

    before(async () => {
      db = await createTestDatabase(kind);
      // A prefix of this run's own, so other suites sharing the Redis server cannot interfere.
      const env = { REFRESHD_REDIS_URL: REDIS_URL, REFRESHD_RATE_LIMIT_PREFIX: `refreshd-test-${randomBytes(6).toString('hex')}` };
      for (let i = 0; i < 2; i++) servers.push(Object.assign(await startInstance({ ...files, databaseUrl: db.url, env }), { issuer: SHARED_ISSUER }));
      key = await generateKeyPair('ES256');
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await db?.drop();
      files.remove();
    });

    test('a proof used on one instance is refused on the other, and the token is untouched', async () => {
      const [a, b] = [servers[0]!, servers[1]!];
      const t0 = await issueRefreshToken(a);
      const proof = await generateProof(key, tokenEndpointOf(a), 'POST');
      const params = (token: string) => ({ grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend'), refresh_token: token });
      const first = await postWithProofs(a, params(t0), [proof]);
      assert.equal(first.status, 200, first.text);
      const t1 = first.body.refresh_token!;
      const replay = await postWithProofs(b, params(t1), [proof]);
      assert.equal(replay.status, 400, replay.text);
      assert.equal(replay.body.error, 'invalid_dpop_proof');
      const fresh = await dpopRefresh(b, t1, key);
      assert.equal(fresh.status, 200, `the token still works with a fresh proof: ${fresh.text}`);
    });

    test('a nonce issued by one instance is accepted by the other', async () => {
      const [a, b] = [servers[0]!, servers[1]!];
      const t0 = await issueRefreshToken(a, { targetClientId: 'spa' });
      const challenge = await dpopRefresh(a, t0, key, { clientId: 'spa', publicClient: true });
      assert.equal(challenge.body.error, 'use_dpop_nonce');
      const r = await dpopRefresh(b, t0, key, { clientId: 'spa', publicClient: true, nonce: challenge.headers.get('dpop-nonce')! });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'DPoP');
    });
  });
}
