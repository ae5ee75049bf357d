import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_SCOPE_COUNT, MAX_SCOPE_LENGTH } from '../../src/core/scopes.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

// Issue 11 §3.7: the scope parameter is capped (length and count) and, on the refresh grant, read only once the
// token's MAC and family have been checked. A held scope repeated past the caps is a request the old code granted
// (it deduplicated it, quadratically); the answers below to bad tokens carrying it show which check ran first.
const OVER_LENGTH = 'read:data '.repeat(Math.ceil(MAX_SCOPE_LENGTH / 10) + 1).trim();
const OVER_COUNT = Array.from({ length: MAX_SCOPE_COUNT + 1 }, () => 'read:data').join(' ');

for (const kind of STORES) {
  describe(`scope parameter: capped, and parsed after the refresh token's MAC (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('the fixtures are what the caps are measured against', () => {
      assert.ok(OVER_LENGTH.length > MAX_SCOPE_LENGTH);
      assert.ok(OVER_COUNT.length <= MAX_SCOPE_LENGTH, 'the count cap is reached within the length cap');
    });

    for (const [name, scope] of [
      ['longer than the length cap', OVER_LENGTH],
      ['naming more scopes than the count cap', OVER_COUNT],
    ] as const) {
      test(`a live token with a scope ${name} is invalid_scope, and the token is not consumed`, async () => {
        const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
        const r = await refresh(server, t0, { scope });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.error, 'invalid_scope');
        assert.match(r.body.error_description ?? '', /at most/);
        const fam = await server.store.findFamily(familyIdOf(t0));
        assert.equal(fam?.generation, 0, 'a refused refresh must not rotate');
        assert.equal((await refresh(server, t0, { scope: 'read:data' })).status, 200, 'the token still works');
      });
    }

    test('a forged token (bad MAC) with an over-cap scope is invalid_grant: the MAC is checked first', async () => {
      const t0 = await issueRefreshToken(server);
      // Flip one byte of the tag: a well-formed token whose MAC fails.
      const raw = Buffer.from(t0.slice('rfd_rt_'.length), 'base64url');
      raw[raw.length - 1]! ^= 1;
      const forged = `rfd_rt_${raw.toString('base64url')}`;
      const r = await refresh(server, forged, { scope: OVER_LENGTH });
      assert.equal(r.status, 403, r.text);
      assert.deepEqual(r.body, INVALID_GRANT);
    });

    test('a revoked token with an over-cap scope is invalid_grant', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal(await server.store.revokeFamily(familyIdOf(t0), server.clock.now(), 'test'), true);
      const r = await refresh(server, t0, { scope: OVER_COUNT });
      assert.equal(r.status, 403, r.text);
      assert.deepEqual(r.body, INVALID_GRANT);
    });

    test('a rotated token coming back with an over-cap scope is reuse: the family is revoked', async () => {
      const t0 = await issueRefreshToken(server);
      assert.equal((await refresh(server, t0)).status, 200);
      const replay = await refresh(server, t0, { scope: OVER_LENGTH });
      assert.deepEqual(replay.body, INVALID_GRANT);
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.revokedReason, 'reuse');
    });

    test('client credentials and token exchange refuse an over-cap scope with invalid_scope', async () => {
      const cc = await post(server, '/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'm2m',
        client_secret: secretOf('m2m'),
        audience: API,
        scope: OVER_COUNT,
      });
      assert.equal(cc.status, 400, cc.text);
      assert.equal(cc.body.error, 'invalid_scope');
      const te = await exchange(server, { scope: `offline_access ${OVER_LENGTH}` });
      assert.equal(te.status, 400, te.text);
      assert.equal(te.body.error, 'invalid_scope');
    });

    test('a scope at the caps is accepted', async () => {
      const atCount = Array.from({ length: MAX_SCOPE_COUNT }, () => 'read:data').join(' ');
      const t0 = await issueRefreshToken(server, { scope: 'offline_access read:data' });
      const r = await refresh(server, t0, { scope: atCount });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.scope, 'read:data');
    });
  });
}
