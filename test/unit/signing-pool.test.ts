import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import type { SigningAlg } from '../../src/core/types.js';
import { signAccessToken, type AccessTokenContent } from '../../src/tokens/access-token-jwt.js';
import { SigningPool } from '../../src/tokens/signing-pool.js';

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

describe('signing pool', () => {
  const pool = new SigningPool(2);
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
    const fresh = new SigningPool(1);
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
    const closed = new SigningPool(1);
    await closed.close();
    await assert.rejects(closed.sign(content('ES256', 'kid-x'), '{}'), /closed/);
  });
});
