import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateThumbprint, generateKeyPair, type KeyPair } from 'dpop';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { sha256 } from '../../src/tokens/refresh-token.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { dpopRefreshWithNonce } from '../helpers/dpop.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, refresh, verifyAccessToken, type TokenBody } from '../helpers/tokens.js';

/** Token exchange by `backend` for a public client, bound to `dpopJkt` (the app's key) from the first token. */
function exchangeBound(server: TestServer, params: Record<string, string>) {
  return post<TokenBody>(server, '/oauth/token', {
    grant_type: TOKEN_EXCHANGE_GRANT,
    client_id: 'backend',
    client_secret: secretOf('backend'),
    subject_token: 'auth0|dpop-user',
    subject_token_type: USER_ID_TOKEN_TYPE,
    audience: API,
    scope: 'openid offline_access read:data',
    ...params,
  });
}

// RFC 9449 §5 for public clients: the family is bound to the app's key, and without that key its tokens are
// useless: refused, neither consumed nor revoked.
for (const kind of STORES) {
  describe(`DPoP-bound refresh tokens of public clients (${kind})`, () => {
    let server: TestServer;
    let key: KeyPair;
    let jkt: string;
    let thief: KeyPair;
    const spa = { clientId: 'spa', publicClient: true };
    before(async () => {
      server = await startServer(kind);
      // A public client with a leeway, for the convergence test.
      const base = await server.store.findClient('spa');
      await server.store.upsertClient({ ...base!, clientId: 'spa-flagged', refreshToken: { ...base!.refreshToken, leewaySeconds: 30 } });
      key = await generateKeyPair('ES256');
      jkt = await calculateThumbprint(key.publicKey);
      thief = await generateKeyPair('ES256');
    });
    after(() => server.close());

    async function issueBound(clientId = 'spa'): Promise<string> {
      const r = await exchangeBound(server, { target_client_id: clientId, dpop_jkt: jkt });
      assert.equal(r.status, 200, r.text);
      return r.body.refresh_token!;
    }

    test('dpop_jkt binds the family from its first token; every refresh with the key rotates and keeps the binding', async () => {
      const r = await exchangeBound(server, { target_client_id: 'spa', dpop_jkt: jkt });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'DPoP');
      assert.deepEqual((await verifyAccessToken(server, r.body.access_token, API)).cnf, { jkt }, 'the first access token is the app\'s');
      let token = r.body.refresh_token!;
      assert.equal((await server.store.findFamily(familyIdOf(token)))?.dpopJkt, jkt);
      for (let i = 1; i <= 2; i++) {
        const { final } = await dpopRefreshWithNonce(server, token, key, spa);
        assert.equal(final.status, 200, final.text);
        assert.equal(final.body.token_type, 'DPoP');
        assert.deepEqual((await verifyAccessToken(server, final.body.access_token, API)).cnf, { jkt });
        token = final.body.refresh_token!;
        const family = await server.store.findFamily(familyIdOf(token));
        assert.deepEqual([family?.generation, family?.dpopJkt], [i, jkt]);
      }
    });

    test('without the key (no proof, another key, an older token) nothing is consumed or revoked, and it is an event', async () => {
      const t0 = await issueBound();
      const { final: ok } = await dpopRefreshWithNonce(server, t0, key, spa);
      assert.equal(ok.status, 200, ok.text);
      const t1 = ok.body.refresh_token!;
      const familyId = familyIdOf(t1);
      const before = server.events.length;
      const attempts: [string, () => Promise<{ status: number; body: TokenBody }>][] = [
        ['current token, no proof', () => refresh(server, t1, spa)],
        ['current token, another key', async () => (await dpopRefreshWithNonce(server, t1, thief, spa)).final],
        ['older token, no proof', () => refresh(server, t0, spa)],
        ['older token, another key', async () => (await dpopRefreshWithNonce(server, t0, thief, spa)).final],
      ];
      for (const [name, attempt] of attempts) {
        const r = await attempt();
        assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error, 'invalid_dpop_proof', name);
        const family = await server.store.findFamily(familyId);
        assert.deepEqual([family?.generation, family?.revokedAt], [1, null], `${name}: neither consumed nor revoked`);
      }
      const reasons = server.events.slice(before).filter((e) => e.type === 'fertft').map((e) => e.details?.failure_reason);
      assert.deepEqual(reasons, ['dpop_proof_missing', 'dpop_key_mismatch', 'dpop_proof_missing', 'dpop_key_mismatch']);
      const { final } = await dpopRefreshWithNonce(server, t1, key, spa);
      assert.equal(final.status, 200, `the owner goes on: ${final.text}`);
      // The key holder presenting an older generation is reuse as ever: the family is revoked.
      const reuse = await dpopRefreshWithNonce(server, t0, key, spa);
      assert.equal(reuse.final.status, 403, reuse.final.text);
      assert.equal((await server.store.findFamily(familyId))?.revokedReason, 'reuse');
    });

    test('leeway: a retry with the key converges on the same successor, a nonce challenge in between is not reuse', async () => {
      const t0 = await issueBound('spa-flagged');
      const client = { clientId: 'spa-flagged', publicClient: true };
      const first = await dpopRefreshWithNonce(server, t0, key, client);
      assert.equal(first.final.status, 200, first.final.text);
      const t1 = first.final.body.refresh_token!;
      // The answer was lost; the retry comes without a nonce, is challenged, and retries with it.
      const retry = await dpopRefreshWithNonce(server, t0, key, client);
      assert.equal(retry.first.body.error, 'use_dpop_nonce');
      assert.equal(retry.final.status, 200, retry.final.text);
      assert.equal(retry.final.body.refresh_token, t1, 'the same successor');
      assert.equal(retry.final.body.token_type, 'DPoP');
      // Inside the leeway, another key gets nothing and revokes nothing.
      const stolen = await dpopRefreshWithNonce(server, t0, thief, client);
      assert.equal(stolen.final.body.error, 'invalid_dpop_proof');
      const family = await server.store.findFamily(familyIdOf(t1));
      assert.deepEqual([family?.generation, family?.revokedAt], [1, null]);
      assert.equal((await dpopRefreshWithNonce(server, t1, key, client)).final.status, 200);
    });

    test('the compare-and-set itself checks the binding', async () => {
      const t0 = await issueBound();
      const family = (await server.store.findFamily(familyIdOf(t0)))!;
      const secret = Buffer.from(t0.slice('rfd_rt_'.length), 'base64url').subarray(21, 53);
      const base = {
        familyId: family.id,
        clientId: 'spa',
        presentedGeneration: 0,
        presentedHash: sha256(secret),
        now: server.clock.now(),
        idleExpiresAt: null,
        rotating: true,
        next: { currentHash: sha256('next'), successorBox: null },
        lastIp: null,
        lastUserAgent: null,
      };
      assert.equal(family.currentHash.equals(base.presentedHash), true, 'the test reads the token\'s secret right');
      assert.equal(await server.store.exchangeFamily({ ...base, boundJkt: null }), null, 'as if unbound');
      assert.equal(await server.store.exchangeFamily({ ...base, boundJkt: await calculateThumbprint(thief.publicKey) }), null, 'another key');
      assert.equal((await server.store.exchangeFamily({ ...base, boundJkt: jkt }))?.generation, 1, 'its key');
    });

    test('dpop_jkt must be a thumbprint, for a public target_client_id', async () => {
      for (const [params, name] of [
        [{ target_client_id: 'spa', dpop_jkt: 'short' }, 'not a thumbprint'],
        [{ dpop_jkt: jkt }, 'no target: the caller binds its own tokens with a proof'],
      ] as const) {
        const r = await exchangeBound(server, params);
        assert.equal(r.status, 400, `${name}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_request', name);
      }
    });
  });
}
