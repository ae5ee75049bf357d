import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { generateKeyPair as dpopKeyPair, generateProof } from 'dpop';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { OAuthError } from '../../src/core/errors.js';
import { verifyProof } from '../../src/dpop/proof.js';
import { ProofKeyCache } from '../../src/dpop/proof-keys.js';
import type { SigningAlg } from '../../src/core/types.js';
import { signAccessToken, type AccessTokenContent } from '../../src/tokens/access-token-jwt.js';
import { CryptoWorkers } from '../../src/workers/crypto-workers.js';

function content(alg: SigningAlg, kid: string): AccessTokenContent {
  return {
    alg,
    kid,
    iss: 'https://issuer.test/',
    sub: 'auth0|alice',
    aud: 'https://api.test/',
    iat: 1_800_000_000,
    exp: 1_800_003_600,
    jti: 'jti-0123456789abcdefghij',
    claims: { scope: 'openid read:data', azp: 'backend', sid: 'session-1' },
  };
}

describe('crypto workers: signing', () => {
  const pool = new CryptoWorkers(2);
  after(() => pool.close());

  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    test(`a token signed on a worker is the token the event loop would sign (${alg})`, async () => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const privateJwk = JSON.stringify(await exportJWK(privateKey));
      const c = content(alg, `kid-${alg}`);
      // Two in a row: the first carries the key to its worker, the second goes to the other worker.
      const [a, b] = await Promise.all([pool.sign(c, privateJwk), pool.sign(c, privateJwk)]);
      const local = await signAccessToken(c, privateKey as CryptoKey);
      for (const token of [a, b]) {
        assert.deepEqual(decodeProtectedHeader(token), decodeProtectedHeader(local));
        assert.deepEqual(decodeJwt(token), decodeJwt(local));
        const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(1_800_000_100_000) });
        assert.equal(payload.sub, 'auth0|alice');
      }
    });
  }

  test('a worker imports a key once, on its first token for that kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = JSON.stringify(await exportJWK(privateKey));
    const fresh = new CryptoWorkers(1);
    try {
      await fresh.sign(content('ES256', 'kid-a'), privateJwk);
      // The pool does not send the key again for a kid the worker has, so this bogus JWK is never parsed.
      const token = await fresh.sign(content('ES256', 'kid-a'), '{not json');
      assert.equal(decodeProtectedHeader(token).kid, 'kid-a');
    } finally {
      await fresh.close();
    }
  });

  test('a closed pool refuses to sign', async () => {
    const closed = new CryptoWorkers(1);
    await closed.close();
    await assert.rejects(closed.sign(content('ES256', 'kid-x'), '{}'), /closed/);
  });
});

describe('DPoP proofs checked on a worker', () => {
  const HTU = 'https://issuer.test/oauth/token';
  const expect = () => ({ htm: 'POST', htu: HTU, now: Date.now(), iatWindowSeconds: 300 });
  const workers = new CryptoWorkers(2, { proofKeyCacheSize: 8 });
  after(() => workers.close());

  /** What the event loop's own check says of `proof`: the result, or the refusal as the client would see it. */
  async function onLoop(proof: string): Promise<unknown> {
    try {
      return await verifyProof(proof, { ...expect(), keys: new ProofKeyCache(0) });
    } catch (err) {
      return { error: (err as OAuthError).error, description: (err as OAuthError).description };
    }
  }
  async function onWorker(proof: string): Promise<unknown> {
    try {
      return await workers.verifyProof(proof, expect());
    } catch (err) {
      assert.ok(err instanceof OAuthError, `a refusal is an OAuthError, not ${String(err)}`);
      return { error: err.error, description: err.description };
    }
  }

  test('a worker judges proofs as the event loop does, valid or not, twice in a row (the second from its key cache)', async () => {
    for (const alg of ['ES256', 'Ed25519', 'PS256'] as const) {
      const pair = await dpopKeyPair(alg);
      const valid = await generateProof(pair, HTU, 'POST', 'nonce-1');
      const wrongMethod = await generateProof(pair, HTU, 'GET');
      const wrongUri = await generateProof(pair, 'https://elsewhere.test/oauth/token', 'POST');
      const badSignature = valid.slice(0, -6) + (valid.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      for (const proof of [valid, wrongMethod, wrongUri, badSignature, valid, 'not.a.proof']) {
        assert.deepEqual(await onWorker(proof), await onLoop(proof), `${alg}: ${proof.slice(-12)}`);
      }
      const accepted = (await onWorker(valid)) as { jkt: string; nonce: string };
      assert.equal(accepted.jkt, await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256'));
      assert.equal(accepted.nonce, 'nonce-1');
    }
  });

  test('proofs of one batch are answered each on its own', async () => {
    const pair = await dpopKeyPair('ES256');
    const proofs = await Promise.all(Array.from({ length: 20 }, (_, i) => generateProof(pair, HTU, i % 4 === 0 ? 'GET' : 'POST')));
    const results = await Promise.allSettled(proofs.map((p) => workers.verifyProof(p, expect())));
    results.forEach((r, i) => assert.equal(r.status, i % 4 === 0 ? 'rejected' : 'fulfilled', `proof ${i}`));
  });
});
