import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import { buildApp } from '../../src/http/app.js';
import type { Store } from '../../src/ports/store.js';
import { Refreshd } from '../../src/service/refreshd.js';
import { API } from '../helpers/fixtures.js';
import { runCli } from '../helpers/process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';

const DELAY_SECONDS = 3600;
const GRACE_SECONDS = 7200;

// `refreshd keys rotate` against two running instances over one database: the CLI writes the new key, each
// instance finds it on its next key read (every 30 s of its clock), publishes it, and both switch to it at the
// activation time. The verifier is jose's createRemoteJWKSet as an API runs it, but with a cool-down longer than
// the test, so an unknown kid is an error, never a re-fetch: it passes only if it never sees one.
for (const kind of STORES) {
  describe(`keys rotate: published first, signing after the delay (${kind})`, () => {
    let server: TestServer;
    let second: { store: Store; refreshd: Refreshd; app: FastifyInstance; baseUrl: string };
    before(async () => {
      server = await startServer(kind);
      const store = server.db.open();
      const refreshd = await Refreshd.create({ store, issuer: server.issuer, clock: server.clock, signingWorkers: 0 });
      const app = await buildApp({ logger: false, refreshd });
      second = { store, refreshd, app, baseUrl: await app.listen({ port: 0, host: '127.0.0.1' }) };
    });
    after(async () => {
      await second.app.close();
      await second.refreshd.close();
      await second.store.close();
      await server.close();
    });

    const instances = () => [server.baseUrl, second.baseUrl];
    const token = async (baseUrl: string) => {
      const r = await exchange({ baseUrl }, { audience: API, scope: 'read:data' });
      assert.equal(r.status, 200, r.text);
      return r.body.access_token;
    };
    const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
    const publishedRs256 = async (baseUrl: string) =>
      ((await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string; alg: string }[] }).keys.filter((k) => k.alg === 'RS256').map((k) => k.kid).sort();

    test('the JWKS shows both keys at once, tokens keep the old kid until the delay has passed, and a cached verifier never meets an unknown kid', async () => {
      let fetches = 0;
      const verifierKeys = createRemoteJWKSet(new URL(`${second.baseUrl}/.well-known/jwks.json`), {
        cooldownDuration: 86_400_000,
        [customFetch]: (url: string, init: RequestInit) => {
          fetches += 1;
          return fetch(url, init);
        },
      });
      const verify = async (jwt: string) => {
        const { protectedHeader } = await jwtVerify(jwt, verifierKeys, { issuer: server.issuer, audience: API, currentDate: new Date(server.clock.now()) });
        return protectedHeader.kid;
      };

      const before = await token(server.baseUrl);
      const oldKid = kidOf(before);
      assert.equal(await verify(before), oldKid);
      assert.equal(fetches, 1);

      const cli = runCli(process.cwd(), ['keys', 'rotate', '--alg', 'RS256', '--activation-delay', String(DELAY_SECONDS), '--grace', String(GRACE_SECONDS)], {
        REFRESHD_DATABASE_URL: server.db.url,
        LOG_LEVEL: 'silent',
      });
      assert.equal(cli.status, 0, cli.stderr);
      const fresh = (await server.store.listSigningKeys()).find((k) => k.alg === 'RS256' && k.kid !== oldKid);
      assert.ok(fresh, 'the CLI stored a new RS256 key');
      const activatesAt = fresh.activatesAt ?? assert.fail('a rotated-in key has an activation time');
      assert.match(cli.stdout, new RegExp(`new RS256 signing key ${fresh.kid}: .* signing from ${new Date(activatesAt).toISOString()} \\(in ${DELAY_SECONDS} s\\)`));
      assert.ok(activatesAt >= fresh.createdAt + DELAY_SECONDS * 1000);
      const list = runCli(process.cwd(), ['keys', 'list'], { REFRESHD_DATABASE_URL: server.db.url });
      assert.match(list.stdout, new RegExp(`^${fresh.kid}  RS256  pending `, 'm'));
      assert.match(list.stdout, new RegExp(`^${oldKid}  RS256  retiring .* signs until ${new Date(activatesAt).toISOString()}`, 'm'));

      // Each instance picks the key up on its next read of the store; until then it still signs with the old one.
      for (const base of instances()) assert.equal(await verify(await token(base)), oldKid);
      server.clock.advanceSeconds(30);
      for (const base of instances()) {
        assert.deepEqual(await publishedRs256(base), [oldKid!, fresh.kid].sort(), base);
        assert.equal(await verify(await token(base)), oldKid, base);
      }

      // The verifier's cache (jose: 10 minutes) runs out well within the delay (an hour): it re-fetches once.
      await verifierKeys.reload();
      server.clock.set(activatesAt - 1);
      const lastOld = await token(second.baseUrl);
      for (const base of instances()) assert.equal(await verify(await token(base)), oldKid, base);
      server.clock.set(activatesAt);
      for (const base of instances()) assert.equal(await verify(await token(base)), fresh.kid, base);
      assert.equal(await verify(lastOld), oldKid, 'tokens the old key signed still verify');
      assert.equal(fetches, 2, 'no re-fetch for an unknown kid was ever needed');

      // The old key leaves the JWKS only a grace period after the new one began signing.
      server.clock.set(activatesAt + GRACE_SECONDS * 1000 - 1);
      for (const base of instances()) assert.deepEqual(await publishedRs256(base), [oldKid!, fresh.kid].sort(), base);
      server.clock.set(activatesAt + GRACE_SECONDS * 1000);
      for (const base of instances()) assert.deepEqual(await publishedRs256(base), [fresh.kid], base);
    });

    test('--activation-delay out of range, or not a number, is refused before anything is written', async () => {
      const count = (await server.store.listSigningKeys()).length;
      for (const delay of ['604801', '-1', 'soon']) {
        const r = runCli(process.cwd(), ['keys', 'rotate', `--activation-delay=${delay}`], { REFRESHD_DATABASE_URL: server.db.url });
        assert.notEqual(r.status, 0, delay);
        assert.match(r.stderr, /activation-delay/, delay);
      }
      const env = runCli(process.cwd(), ['keys', 'rotate'], { REFRESHD_DATABASE_URL: server.db.url, REFRESHD_KEY_ACTIVATION_DELAY_SECONDS: 'later' });
      assert.equal(env.status, 2);
      assert.match(env.stderr, /REFRESHD_KEY_ACTIVATION_DELAY_SECONDS: expected a whole number 0-604800/);
      assert.equal((await server.store.listSigningKeys()).length, count);
    });
  });
}
