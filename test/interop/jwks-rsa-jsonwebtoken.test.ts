import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import { API, ED_API, ES_API, OTHER_API } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';
import { rotateKeysToActivateNow, startInteropServer, type InteropServer } from './harness.js';

// The classic Node verification path: jwks-rsa fetches the key by `kid` from the JWKS, jsonwebtoken verifies.
// Configured as its README shows, the JWKS found through discovery, fetched over TLS.
for (const kind of STORES) {
  describe(`jwks-rsa + jsonwebtoken (${kind})`, () => {
    let rd: InteropServer;
    let keys: jwksClient.JwksClient;
    before(async () => {
      rd = await startInteropServer(kind);
      const metadata = (await (await rd.fetch(`${rd.issuer}.well-known/openid-configuration`)).json()) as { jwks_uri: string };
      keys = jwksClient({ jwksUri: metadata.jwks_uri, requestAgent: rd.front.agent, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
    });
    after(() => rd.close());

    const getKey: jwt.GetPublicKeyOrSecret = (header, callback) => {
      keys.getSigningKey(header.kid).then(
        (key) => callback(null, key.getPublicKey()),
        (err: Error) => callback(err),
      );
    };
    const verify = (token: string, audience: string, algorithms: jwt.Algorithm[] = ['RS256', 'ES256']) =>
      new Promise<jwt.JwtPayload>((ok, fail) => {
        jwt.verify(token, getKey, { audience, issuer: rd.issuer, algorithms }, (err, payload) => (err ? fail(err) : ok(payload as jwt.JwtPayload)));
      });
    const token = async (audience: string) => {
      const r = await exchange(rd.server, { audience, scope: 'read:data' });
      assert.equal(r.status, 200, r.text);
      return r.body.access_token;
    };

    test('verifies RS256 and ES256 access tokens', async () => {
      for (const audience of [API, ES_API]) {
        const payload = await verify(await token(audience), audience);
        assert.deepEqual([payload.iss, payload.sub, payload.aud], [rd.issuer, 'auth0|user-1', audience]);
      }
    });

    test('refuses another audience and an expired token', async () => {
      await assert.rejects(verify(await token(OTHER_API), API), { name: 'JsonWebTokenError', message: /^jwt audience invalid/ });
      const now = rd.server.clock.now();
      rd.server.clock.set(now - 2 * 3600_000);
      const expired = await token(API);
      rd.server.clock.set(now);
      await assert.rejects(verify(expired, API), { name: 'TokenExpiredError' });
    });

    test('EdDSA: jwks-rsa serves the Ed25519 key, but jsonwebtoken 9 cannot verify it (use RS256 or ES256 for such APIs)', async () => {
      const ed = await token(ED_API);
      const header = jwt.decode(ed, { complete: true })?.header;
      assert.equal(header?.alg, 'EdDSA');
      const key = await keys.getSigningKey(header?.kid);
      assert.match(key.getPublicKey(), /^-----BEGIN PUBLIC KEY-----/);
      await assert.rejects(verify(ed, ED_API), { name: 'JsonWebTokenError', message: 'invalid algorithm' });
      await assert.rejects(verify(ed, ED_API, ['EdDSA' as jwt.Algorithm]), { message: 'Unknown key type "ed25519".' });
    });

    test('verifies across a key rotation: the old key signs during the delay, the new one after, and both verify', async () => {
      const kidOf = (t: string) => jwt.decode(t, { complete: true })?.header.kid;
      const before = new Map([[API, await token(API)], [ES_API, await token(ES_API)]]);
      for (const [audience, t] of before) await verify(t, audience);
      const { activatesAt, kids } = await rotateKeysToActivateNow(rd, ['RS256', 'ES256']);
      for (const [audience, t] of before) {
        const during = await token(audience);
        assert.equal(kidOf(during), kidOf(t), `${audience}: the old key signs during the delay`);
        await verify(during, audience);
      }
      rd.server.clock.set(activatesAt);
      for (const [audience, alg] of [[API, 'RS256'], [ES_API, 'ES256']] as const) {
        const after = await token(audience);
        assert.equal(kidOf(after), kids.get(alg), `${alg}: the new key signs after the delay`);
        assert.equal((await verify(after, audience)).sub, 'auth0|user-1');
        assert.equal((await verify(before.get(audience)!, audience)).sub, 'auth0|user-1', `${alg}: a token of the old key still verifies`);
      }
    });
  });
}
