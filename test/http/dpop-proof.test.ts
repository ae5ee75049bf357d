import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { decodeJwt, exportJWK, SignJWT } from 'jose';
import { API, secretOf } from '../helpers/fixtures.js';
import { dpopRefresh, dpopRefreshWithNonce, nonceHeaderCount, postWithProofs, tokenEndpointOf } from '../helpers/dpop.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, familyIdOf, issueRefreshToken, refresh, verifyAccessToken } from '../helpers/tokens.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Claims of a proof for the token endpoint, as a client would make them. */
function claimsFor(server: TestServer, extra: Record<string, unknown> = {}) {
  return { jti: randomUUID(), htm: 'POST', htu: tokenEndpointOf(server), iat: Math.floor(Date.now() / 1000), ...extra };
}

// RFC 9449 §4.3 at /oauth/token, with panva's `dpop` client making the proofs a real client would send.
// Proofs are checked on the crypto workers by default; the event loop checks them itself without workers.
const VARIANTS = [...STORES.map((kind) => ({ kind, workers: undefined, name: kind })), { kind: STORES[0]!, workers: 0, name: `${STORES[0]!}, no workers` }];

for (const { kind, workers, name } of VARIANTS) {
  describe(`DPoP proofs at the token endpoint (${name})`, () => {
    let server: TestServer;
    let key: KeyPair;
    before(async () => {
      server = await startServer(kind, workers === undefined ? {} : { signingWorkers: workers });
      key = await generateKeyPair('ES256');
    });
    after(() => server.close());

    const refreshParams = (token: string) => ({ grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend'), refresh_token: token });

    test('a proof binds the access token (cnf.jkt, token_type DPoP); a confidential client\'s refresh token stays unbound', async () => {
      for (const alg of ['ES256', 'Ed25519', 'RS256', 'PS256'] as const) {
        const k = await generateKeyPair(alg);
        const t0 = await issueRefreshToken(server);
        const r = await dpopRefresh(server, t0, k);
        assert.equal(r.status, 200, `${alg}: ${r.text}`);
        assert.equal(r.body.token_type, 'DPoP', alg);
        const claims = await verifyAccessToken(server, r.body.access_token, API);
        assert.deepEqual(claims.cnf, { jkt: await calculateThumbprint(k.publicKey) }, alg);
        assert.equal(nonceHeaderCount(r), 1, 'a fresh nonce is offered on success');
        // RFC 9449 §5: the client authenticates, so its refresh token is not bound: it refreshes without a proof.
        const plain = await post(server, refreshParams(r.body.refresh_token!));
        assert.equal(plain.status, 200, plain.text);
        assert.equal(plain.body.token_type, 'Bearer');
        assert.equal((await verifyAccessToken(server, plain.body.access_token, API)).cnf, undefined);
        assert.equal(plain.headers.get('dpop-nonce'), null, 'no nonce for a request without a proof');
      }
    });

    test('a public client is challenged for a nonce (exactly one DPoP-Nonce), and its retry with it succeeds', async () => {
      const t0 = await issueRefreshToken(server, { targetClientId: 'spa' });
      const { first, final } = await dpopRefreshWithNonce(server, t0, key, { clientId: 'spa', publicClient: true });
      assert.equal(first.status, 400, first.text);
      assert.equal(first.body.error, 'use_dpop_nonce');
      assert.equal(nonceHeaderCount(first), 1);
      assert.equal(first.headers.get('cache-control'), 'no-store');
      assert.equal(final.status, 200, final.text);
      assert.equal(final.body.token_type, 'DPoP');
      // The challenge consumed nothing: the retry rotated generation 0.
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.generation, 1);
    });

    test('token exchange and client credentials with a proof issue DPoP-bound access tokens', async () => {
      const jkt = await calculateThumbprint(key.publicKey);
      const proof = await generateProof(key, tokenEndpointOf(server), 'POST');
      const ex = await exchange(server, { headers: { dpop: proof } });
      assert.equal(ex.status, 200, ex.text);
      assert.equal(ex.body.token_type, 'DPoP');
      assert.deepEqual((await verifyAccessToken(server, ex.body.access_token, API)).cnf, { jkt });
      const cc = await postWithProofs(server, { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API }, [
        await generateProof(key, tokenEndpointOf(server), 'POST'),
      ]);
      assert.equal(cc.status, 200, cc.text);
      assert.equal(cc.body.token_type, 'DPoP');
      assert.deepEqual(decodeJwt(cc.body.access_token).cnf, { jkt });
    });

    test('htu is the issuer\'s token endpoint, compared without query and fragment', async () => {
      const t0 = await issueRefreshToken(server);
      // The server listens on 127.0.0.1:<port>, but its public URL is the issuer's: that is what a client signs.
      const r = await dpopRefresh(server, t0, key, { htu: `${tokenEndpointOf(server)}?x=1#f` });
      assert.equal(r.status, 200, r.text);
      const listening = await dpopRefresh(server, r.body.refresh_token!, key, { htu: `${server.baseUrl}/oauth/token` });
      assert.equal(listening.body.error, 'invalid_dpop_proof', 'the listening address is not the public URL');
    });

    test('every bad proof is refused with invalid_dpop_proof, and leaves the token as it was', async () => {
      const t0 = await issueRefreshToken(server);
      const familyId = familyIdOf(t0);
      const other = await generateKeyPair('ES256');
      const ecPrivate = await exportJWK((await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).privateKey);
      const hmac = randomBytes(32);
      const publicJwk = await exportJWK(key.publicKey);
      const cases: [string, () => Promise<string[]>][] = [
        ['not a JWS', async () => ['not-a-proof']],
        ['two DPoP headers', async () => [await generateProof(key, tokenEndpointOf(server), 'POST'), await generateProof(key, tokenEndpointOf(server), 'POST')]],
        ['wrong htm', async () => [await generateProof(key, tokenEndpointOf(server), 'GET')]],
        ['wrong htu (another endpoint)', async () => [await generateProof(key, new URL('oauth/revoke', server.issuer).href, 'POST')]],
        ['wrong htu (another host)', async () => [await generateProof(key, 'https://attacker.example/oauth/token', 'POST')]],
        ['alg none', async () => [`${b64({ typ: 'dpop+jwt', alg: 'none', jwk: publicJwk })}.${b64(claimsFor(server))}.`]],
        [
          'HS256 with a symmetric jwk',
          async () => [await new SignJWT(claimsFor(server)).setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: hmac.toString('base64url') } as never }).sign(hmac)],
        ],
        ['HS256 with a public jwk', async () => [await new SignJWT(claimsFor(server)).setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: publicJwk }).sign(hmac)]],
        [
          'a private key in jwk',
          async () => [await new SignJWT(claimsFor(server)).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: ecPrivate }).sign(ecPrivate as never)],
        ],
        ['typ JWT', async () => [await new SignJWT(claimsFor(server)).setProtectedHeader({ typ: 'JWT', alg: 'ES256', jwk: publicJwk }).sign(key.privateKey)]],
        ['signed by another key than its jwk', async () => [await new SignJWT(claimsFor(server)).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk }).sign(other.privateKey)]],
        ['no jti', async () => [await new SignJWT({ ...claimsFor(server), jti: undefined }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk }).sign(key.privateKey)]],
      ];
      for (const [name, make] of cases) {
        const r = await postWithProofs(server, refreshParams(t0), await make());
        assert.equal(r.status, 400, `${name}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_dpop_proof', name);
        const family = await server.store.findFamily(familyId);
        assert.deepEqual([family?.generation, family?.revokedAt], [0, null], `${name}: the token was neither consumed nor revoked`);
      }
      const ok = await dpopRefresh(server, t0, key);
      assert.equal(ok.status, 200, `the owner still refreshes: ${ok.text}`);
    });

    test('a refused proof is the answer whatever else is wrong with the request, and nothing else is recorded', async () => {
      // The proof is checked before the grant runs (token-endpoint.ts), wherever it is checked.
      const live = await issueRefreshToken(server);
      const rotated = await refresh(server, live);
      assert.equal(rotated.status, 200, rotated.text);
      const wrongMethod = () => generateProof(key, tokenEndpointOf(server), 'GET');
      const cases: [string, Record<string, string>][] = [
        ['a malformed refresh token', refreshParams('rt_not-a-token')],
        ['a forged refresh token', refreshParams(`${live.slice(0, -4)}AAAA`)],
        ['no refresh_token parameter', { grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend') }],
        ['the previous refresh token of a rotated family', refreshParams(live)],
        ['client credentials without an audience', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m') }],
      ];
      for (const [name, params] of cases) {
        const before = server.events.length;
        const r = await postWithProofs(server, params, [await wrongMethod()]);
        assert.equal(r.status, 400, `${name}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_dpop_proof', name);
        assert.deepEqual(server.events.slice(before).map((e) => e.type), [], `${name}: no event besides the refusal`);
      }
      const familyId = familyIdOf(live);
      const family = await server.store.findFamily(familyId);
      assert.deepEqual([family?.generation, family?.revokedAt], [1, null], 'the previous token neither revoked nor touched its family');
      assert.equal((await refresh(server, rotated.body.refresh_token!)).status, 200);
    });

    test('a stale or future iat is refused, one inside the window passes', async () => {
      let token = await issueRefreshToken(server);
      for (const [shiftSeconds, ok] of [[301, false], [-301, false], [290, true], [-290, true]] as const) {
        // The server's clock is manual and the proof's iat is the real time: set one from the other.
        const now = server.clock.now();
        server.clock.set(Date.now() + shiftSeconds * 1000);
        const r = await dpopRefresh(server, token, key);
        server.clock.set(now);
        assert.equal(r.status, ok ? 200 : 400, `iat ${-shiftSeconds} s from the server's time: ${r.text}`);
        if (ok) token = r.body.refresh_token!;
        else assert.equal(r.body.error, 'invalid_dpop_proof');
      }
    });

    test('a proof is single-use: its jti replayed is refused, the token untouched', async () => {
      const t0 = await issueRefreshToken(server);
      const proof = await generateProof(key, tokenEndpointOf(server), 'POST');
      const first = await postWithProofs(server, refreshParams(t0), [proof]);
      assert.equal(first.status, 200, first.text);
      const t1 = first.body.refresh_token!;
      const replay = await postWithProofs(server, refreshParams(t1), [proof]);
      assert.equal(replay.status, 400, replay.text);
      assert.equal(replay.body.error, 'invalid_dpop_proof');
      assert.equal((await server.store.findFamily(familyIdOf(t1)))?.generation, 1, 'the replay consumed nothing');
      assert.equal((await dpopRefresh(server, t1, key)).status, 200, 'a fresh proof works');
    });

    test('discovery lists the proof algorithms, asymmetric only', async () => {
      const meta = (await (await fetch(`${server.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.deepEqual(meta.dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256']);
    });
  });
}

function post(server: TestServer, params: Record<string, string>) {
  return postWithProofs(server, params, []);
}
