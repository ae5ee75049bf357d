import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import { API, ED_API, ES_API, OTHER_API } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';
import { startInteropServer, type InteropServer } from './harness.js';

// The classic Node verification path: jwks-rsa fetches the key by `kid` from the JWKS, jsonwebtoken verifies.
// Configured as its README shows, the JWKS found through discovery, fetched over TLS.
const kind = STORES[0]!;

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
});
