import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader } from 'jose';
import { API, ED_API, ES_API, OTHER_API } from '../helpers/fixtures.js';
import { managementToken } from '../helpers/management.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';
import { startProtectedApi, type ProtectedApi } from './express-api.js';
import { rotateKeysToActivateNow, startInteropServer, type InteropServer } from './harness.js';

const ROUTES = { '/rs': API, '/es': ES_API, '/ed': ED_API };
const BY_ALG = [['/rs', API, 'RS256'], ['/es', ES_API, 'ES256'], ['/ed', ED_API, 'EdDSA']] as const;

async function accessToken(rd: InteropServer, audience: string): Promise<string> {
  const r = await exchange(rd.server, { audience, scope: 'read:data' });
  assert.equal(r.status, 200, r.text);
  return r.body.access_token;
}

// Auth0's API middleware (express-oauth2-jwt-bearer 1.10), as an API in front of refreshd would run it: it finds
// the JWKS and the allowed algorithms through discovery, so it is the end-to-end check of discovery too.
for (const kind of STORES) {
  for (const path of ['/', '/t1/']) {
    describe(`express-oauth2-jwt-bearer, issuer path ${path} (${kind})`, () => {
      let rd: InteropServer;
      let api: ProtectedApi;
      before(async () => {
        rd = await startInteropServer(kind, { path });
        api = await startProtectedApi({ issuer: rd.issuer, agent: rd.front.agent, routes: ROUTES });
      });
      after(async () => {
        await api.close();
        await rd.close();
      });

      test('accepts access tokens signed with RS256, ES256 and EdDSA', async () => {
        for (const [route, audience, alg] of BY_ALG) {
          const token = await accessToken(rd, audience);
          const r = await api.call(route, token);
          assert.equal(r.status, 200, `${alg}: ${JSON.stringify(r.body)}`);
          assert.deepEqual([r.body.sub, r.body.alg], ['auth0|user-1', alg]);
        }
      });

      test('refuses a token for another audience, an expired token and a Management API token', async () => {
        const other = await accessToken(rd, OTHER_API);
        // Issued two hours ago by the server's clock: a one-hour token, expired an hour ago for the API.
        const now = rd.server.clock.now();
        rd.server.clock.set(now - 2 * 3600_000);
        const expired = await accessToken(rd, API);
        rd.server.clock.set(now);
        const management = await managementToken(rd.server);
        for (const [name, token] of [['other audience', other], ['expired', expired], ['management', management]] as const) {
          const r = await api.call('/rs', token);
          assert.equal(r.status, 401, `${name}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.error, 'invalid_token', name);
          assert.match(r.wwwAuthenticate ?? '', /^Bearer realm="api", error="invalid_token"/, name);
        }
        assert.equal((await api.call('/rs', await accessToken(rd, API))).status, 200, 'a current token still passes');
        assert.equal(decodeProtectedHeader(management).alg, 'RS256');
      });

      test('accepts RS256, ES256 and EdDSA tokens before, during and after a key rotation (keys rotate, delayed activation)', async () => {
        // An API that caches discovery and the JWKS for half a second, standing for the usual 10 minutes against
        // an activation delay that outlasts them (a test cannot wait 10 minutes; the proportions are the point).
        const cached = await startProtectedApi({ issuer: rd.issuer, agent: rd.front.agent, routes: ROUTES, cacheMaxAge: 500 });
        try {
          const accepted = async (route: string, audience: string, alg: string) => {
            const r = await cached.call(route, await accessToken(rd, audience));
            assert.equal(r.status, 200, `${alg}: ${JSON.stringify(r.body)}`);
            assert.equal(r.body.alg, alg);
            return String(r.body.kid);
          };
          const oldKids = new Map<string, string>();
          for (const [route, audience, alg] of BY_ALG) oldKids.set(alg, await accepted(route, audience, alg));

          const { activatesAt, kids } = await rotateKeysToActivateNow(rd, BY_ALG.map(([, , alg]) => alg));
          for (const [route, audience, alg] of BY_ALG) assert.equal(await accepted(route, audience, alg), oldKids.get(alg), `${alg}: the old key signs during the delay`);
          await sleep(600); // the API's cache runs out within the delay
          rd.server.clock.set(activatesAt - 1);
          const lastOld = await Promise.all(BY_ALG.map(([, audience]) => accessToken(rd, audience)));
          for (const [route, audience, alg] of BY_ALG) assert.equal(await accepted(route, audience, alg), oldKids.get(alg), alg);

          rd.server.clock.set(activatesAt);
          for (const [route, audience, alg] of BY_ALG) {
            assert.equal(await accepted(route, audience, alg), kids.get(alg), `${alg}: the new key signs after the delay`);
            assert.notEqual(kids.get(alg), oldKids.get(alg));
          }
          for (const [i, [route, , alg]] of BY_ALG.entries()) {
            const r = await cached.call(route, lastOld[i]!);
            assert.deepEqual([r.status, r.body.kid], [200, oldKids.get(alg)], `${alg}: a token the old key signed is still accepted`);
          }
        } finally {
          await cached.close();
        }
      });
    });
  }
}
