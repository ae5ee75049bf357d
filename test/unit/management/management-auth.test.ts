import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ManualClock } from '../../../src/core/clock.js';
import { StoreUnavailableError } from '../../../src/core/errors.js';
import { InsufficientScopeError, UnauthorizedError } from '../../../src/management/errors.js';
import { ManagementAuth, requireScopes } from '../../../src/management/management-auth.js';

const ISSUER = 'https://auth.example.com/';
const AUDIENCE = 'https://auth.example.com/api/v2/';

async function setup(options: { cacheMaxEntries?: number; cacheTtlMs?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  let lookups = 0;
  let outage = false;
  const auth = new ManagementAuth({
    verificationKey: async (header) => {
      lookups++;
      if (outage) throw new StoreUnavailableError('down');
      if (header.kid !== 'k1') throw new Error('unknown kid');
      return publicKey as CryptoKey;
    },
    clock,
    issuer: ISSUER,
    audience: AUDIENCE,
    ...options,
  });
  const sign = (claims: Record<string, unknown> = {}, lifetime = 3600) => {
    const now = Math.floor(clock.now() / 1000);
    return new SignJWT({ scope: 'read:refresh_tokens', azp: 'mgmt', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('mgmt@clients')
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(privateKey);
  };
  return { clock, auth, sign, lookups: () => lookups, setOutage: (v: boolean) => (outage = v) };
}

const reason = (r: string) => (err: unknown) => err instanceof UnauthorizedError && err.statusCode === 401 && err.reason === r;

describe('ManagementAuth', () => {
  test('a verified token is served from the cache until it expires, then refused as expired', async () => {
    const { auth, sign, lookups, clock } = await setup({ cacheTtlMs: 10 * 3600_000 });
    const token = await sign({}, 60);
    const p = await auth.authenticate(`Bearer ${token}`);
    assert.deepEqual([...p.scopes], ['read:refresh_tokens']);
    assert.equal(p.clientId, 'mgmt');
    await auth.authenticate(`bearer ${token}`);
    assert.equal(lookups(), 1, 'second call must not verify the signature again');
    clock.advanceSeconds(60);
    await assert.rejects(auth.authenticate(`Bearer ${token}`), reason('expired'));
  });

  test('cached verifications are re-checked after cacheTtlMs', async () => {
    const { auth, sign, lookups, clock } = await setup({ cacheTtlMs: 1000 });
    const token = await sign();
    await auth.authenticate(`Bearer ${token}`);
    clock.advance(1001);
    await auth.authenticate(`Bearer ${token}`);
    assert.equal(lookups(), 2);
  });

  test('the cache is bounded: past the limit the oldest entry is dropped', async () => {
    const { auth, sign, lookups } = await setup({ cacheMaxEntries: 2 });
    const [a, b, c] = [await sign({ jti: 'a' }), await sign({ jti: 'b' }), await sign({ jti: 'c' })];
    for (const t of [a, b, c]) await auth.authenticate(`Bearer ${t}`);
    assert.equal(lookups(), 3);
    await auth.authenticate(`Bearer ${c}`);
    assert.equal(lookups(), 3, 'c is still cached');
    await auth.authenticate(`Bearer ${a}`);
    assert.equal(lookups(), 4, 'a was evicted');
  });

  test('missing and malformed headers are 401 without any key lookup', async () => {
    const { auth, lookups } = await setup();
    await assert.rejects(auth.authenticate(undefined), reason('missing'));
    for (const h of ['Basic abc', 'Bearer', 'Bearer a.b', 'Bearer a.b.c.d', 'Bearer ' + 'a'.repeat(9000) + '.b.c', 'Token a.b.c']) {
      await assert.rejects(auth.authenticate(h), reason('malformed'), h.slice(0, 20));
    }
    assert.equal(lookups(), 0);
  });

  test('an unknown kid is 401, but a store outage while loading keys is not the caller’s fault', async () => {
    const { auth, sign, setOutage } = await setup();
    const token = await sign();
    setOutage(true);
    await assert.rejects(auth.authenticate(`Bearer ${token}`), StoreUnavailableError);
  });

  test('scopes: any-of and all-of, with Auth0’s message', async () => {
    const { auth, sign } = await setup();
    const p = await auth.authenticate(`Bearer ${await sign({ scope: 'delete:sessions read:sessions' })}`);
    requireScopes(p, ['read:sessions'], 'any');
    assert.throws(
      () => requireScopes(p, ['read:refresh_tokens'], 'any'),
      (e: unknown) => e instanceof InsufficientScopeError && e.statusCode === 403 && e.message === 'Insufficient scope, expected any of: read:refresh_tokens',
    );
    assert.throws(
      () => requireScopes(p, ['delete:sessions', 'delete:refresh_tokens'], 'all'),
      (e: unknown) => e instanceof InsufficientScopeError && e.message === 'Insufficient scope, expected all of: delete:sessions,delete:refresh_tokens',
    );
  });
});
