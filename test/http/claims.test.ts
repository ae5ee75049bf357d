import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OAuthError } from '../../src/core/errors.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { api, managementToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, refresh, verifyAccessToken } from '../helpers/tokens.js';

const CLAIMS = { 'https://example.com/roles': ['admin', 'billing'], tenant: 'acme', plan: { tier: 'pro', seats: 25 }, beta: true };

/** Rows of the families table, to prove that a refused issuance writes nothing. */
async function familyCount(server: TestServer, userId: string): Promise<number> {
  return server.store.countFamilies({ userId }, server.clock.now());
}

for (const kind of STORES) {
  describe(`claims at issuance (${kind})`, () => {
    let server: TestServer;
    let mgmt: string;
    before(async () => {
      server = await startServer(kind);
      mgmt = await managementToken(server);
    });
    after(() => server.close());

    test('claims given at issuance are in the first access token and in every refreshed one, across rotations', async () => {
      const issued = await exchange(server, { userId: 'auth0|claims-1', claims: CLAIMS });
      assert.equal(issued.status, 200, issued.text);
      const first = await verifyAccessToken(server, issued.body.access_token, API);
      for (const [k, v] of Object.entries(CLAIMS)) assert.deepEqual(first[k], v, k);
      assert.equal(first.sub, 'auth0|claims-1');

      let token = issued.body.refresh_token!;
      for (let i = 0; i < 3; i++) {
        const r = await refresh(server, token);
        assert.equal(r.status, 200, r.text);
        const at = await verifyAccessToken(server, r.body.access_token, API);
        for (const [k, v] of Object.entries(CLAIMS)) assert.deepEqual(at[k], v, `${k} after rotation ${i + 1}`);
        assert.equal(at.azp, 'backend');
        token = r.body.refresh_token!;
      }
      // Claims are bytes in the family's one row, which rotation updates in place.
      const fam = await server.store.findFamily(familyIdOf(token));
      assert.deepEqual({ ...fam?.claims }, CLAIMS);
      assert.equal(fam?.generation, 3);
    });

    test('a JSON body carries the claims as a string parameter too; a non-rotating client keeps them as well', async () => {
      const issued = await exchange(server, { clientId: 'backend-static', userId: 'auth0|claims-json', claims: { tenant: 'globex' }, json: true });
      assert.equal(issued.status, 200, issued.text);
      const r = await refresh(server, issued.body.refresh_token!, { clientId: 'backend-static' });
      assert.equal((await verifyAccessToken(server, r.body.access_token, API)).tenant, 'globex');
    });

    test('a JSON body may carry the claims and the metadata as objects; no other parameter may be one', async () => {
      const post = (body: Record<string, unknown>) =>
        fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const base = {
        grant_type: TOKEN_EXCHANGE_GRANT,
        client_id: 'backend',
        client_secret: secretOf('backend'),
        subject_token: 'auth0|claims-object',
        subject_token_type: USER_ID_TOKEN_TYPE,
        audience: API,
        scope: 'openid offline_access read:data',
      };
      const res = await post({ ...base, access_token_claims: CLAIMS, refresh_token_metadata: { device_name: 'Pixel' } });
      const body = (await res.json()) as { access_token: string; refresh_token: string };
      assert.equal(res.status, 200, JSON.stringify(body));
      const at = await verifyAccessToken(server, body.access_token, API);
      for (const [k, v] of Object.entries(CLAIMS)) assert.deepEqual(at[k], v, k);
      assert.deepEqual({ ...(await server.store.findFamily(familyIdOf(body.refresh_token)))?.metadata }, { device_name: 'Pixel' });
      // The object form is checked as the text form is: a reserved claim is still refused.
      const reserved = await post({ ...base, access_token_claims: { sub: 'someone-else' } });
      assert.equal(reserved.status, 400);
      assert.equal(((await reserved.json()) as { error: string }).error, 'invalid_request');
      for (const bad of [{ scope: { read: true } }, { access_token_claims: ['a'] }, { refresh_token_metadata: 7 }]) {
        const r = await post({ ...base, ...bad });
        assert.equal(r.status, 400, JSON.stringify(bad));
        assert.equal(((await r.json()) as { error: string }).error, 'invalid_request', JSON.stringify(bad));
      }
    });

    test('the Management API shows the claims as access_token_claims, and refresh_token_metadata given at issuance', async () => {
      const issued = await exchange(server, { userId: 'auth0|claims-mgmt', claims: { tenant: 'initech' }, metadata: { device_name: "Alice's phone" } });
      assert.equal(issued.status, 200, issued.text);
      const id = familyIdOf(issued.body.refresh_token!);
      const got = await api(server, 'GET', `/refresh-tokens/${id}`, { token: mgmt });
      assert.equal(got.status, 200, got.text);
      assert.deepEqual(got.body.access_token_claims, { tenant: 'initech' });
      assert.deepEqual(got.body.refresh_token_metadata, { device_name: "Alice's phone" });
      // The extension comes after Auth0's fields, and a token without claims has none (Auth0's exact object).
      assert.equal(Object.keys(got.body).at(-1), 'access_token_claims');
      const plain = await exchange(server, { userId: 'auth0|claims-mgmt' });
      const plainBody = await api(server, 'GET', `/refresh-tokens/${familyIdOf(plain.body.refresh_token!)}`, { token: mgmt });
      assert.equal('access_token_claims' in plainBody.body, false);
      const listed = await api<{ tokens: Record<string, unknown>[] }>(server, 'GET', `/users/${encodeURIComponent('auth0|claims-mgmt')}/refresh-tokens`, { token: mgmt });
      assert.deepEqual(listed.body.tokens.find((t) => t.id === id)?.access_token_claims, { tenant: 'initech' });
    });

    for (const reserved of ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'azp', 'client_id', 'scope', 'sid', 'cnf', 'act', 'gty']) {
      test(`"${reserved}" cannot be set: 400 invalid_request naming it, and nothing is written`, async () => {
        const user = `auth0|reserved-${reserved}`;
        const r = await exchange(server, { userId: user, claims: { tenant: 'acme', [reserved]: 'x' } });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.error, 'invalid_request');
        assert.equal(r.body.error_description, `access_token_claims: "${reserved}" is a reserved claim and cannot be set.`);
        assert.equal(await familyCount(server, user), 0);
        assert.equal((await server.store.listSessions(user, { limit: 10 }, server.clock.now())).length, 0);
      });
    }

    test('claims are bounded and must be a JSON object of JSON values', async () => {
      const cases: [unknown, RegExp][] = [
        ['not json', /access_token_claims must be a JSON object/],
        [[1, 2], /claims must be a JSON object/],
        ['"text"', /claims must be a JSON object/],
        [{ big: 'x'.repeat(5000) }, /may not exceed 4096 bytes/],
        [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, i])), /at most 50 claims/],
        [{ deep: [[[[[[[[[[1]]]]]]]]]] }, /nested more than 8 levels/],
        [{ gone: null }, /claim "gone" is null/],
        [{ '': 1 }, /claim names are 1 to 255 characters/],
        ['{"ok":"\\ud800"}', /lone surrogate/],
      ];
      for (const [claims, message] of cases) {
        const r = await exchange(server, { userId: 'auth0|bounded', claims });
        assert.equal(r.status, 400, `${JSON.stringify(claims).slice(0, 60)}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_request');
        assert.match(r.body.error_description!, message);
      }
      assert.equal(await familyCount(server, 'auth0|bounded'), 0);
    });

    test('refresh_token_metadata at issuance follows Auth0\'s limits (400 otherwise)', async () => {
      const tooMany = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, 'v']));
      for (const [metadata, message] of [
        [tooMany, /must not exceed 25 entries/],
        [{ 'bad key': 'v' }, /keys may only include letters/],
        [{ k: 1 }, /values must be strings/],
        [{ k: 'x'.repeat(256) }, /must not exceed 25 entries. Each key and value must be ≤ 255 characters/],
      ] as const) {
        const r = await exchange(server, { userId: 'auth0|meta-bad', metadata });
        assert.equal(r.status, 400, r.text);
        assert.match(r.body.error_description!, message);
      }
      assert.equal(await familyCount(server, 'auth0|meta-bad'), 0);
    });

    test('a refused issuance is a fecte event with the reason', async () => {
      await exchange(server, { userId: 'auth0|fecte', claims: { sub: 'someone-else' } });
      const e = server.events.find((x) => x.type === 'fecte' && x.userId === 'auth0|fecte');
      assert.match(e?.description ?? '', /"sub" is a reserved claim/);
    });

    test('library: issue() takes claims and metadata, checks them the same way', async () => {
      const { response, familyId } = await server.refreshd.issue({
        clientId: 'backend',
        userId: 'lib-user',
        audience: API,
        scope: 'openid offline_access',
        claims: { tenant: 'lib' },
        refreshTokenMetadata: { device: 'cli' },
      });
      assert.equal((await verifyAccessToken(server, response.access_token, API)).tenant, 'lib');
      const fam = await server.store.findFamily(familyId!);
      assert.deepEqual({ ...fam?.metadata }, { device: 'cli' });
      const next = await server.refreshd.refresh({ clientId: 'backend', refreshToken: response.refresh_token! });
      assert.equal((await verifyAccessToken(server, next.response.access_token, API)).tenant, 'lib');
      await assert.rejects(
        server.refreshd.issue({ clientId: 'backend', userId: 'lib-user', audience: API, scope: 'openid', claims: { cnf: { jkt: 'x' } } }),
        (err: unknown) => err instanceof OAuthError && err.error === 'invalid_request' && /"cnf" is a reserved claim/.test(err.description),
      );
    });
  });
}
