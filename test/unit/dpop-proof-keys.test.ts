import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateProof, generateKeyPair, type KeyPair } from 'dpop';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import type { Clock } from '../../src/core/clock.js';
import { NonceSource } from '../../src/dpop/nonce.js';
import { ProofKeyCache } from '../../src/dpop/proof-keys.js';
import { verifyProof, type ProofExpectation } from '../../src/dpop/proof.js';
import { MemoryReplayCache } from '../../src/dpop/replay-cache.js';

const HTU = 'https://issuer.test/oauth/token';

function expectation(keys: ProofKeyCache): ProofExpectation {
  return { htm: 'POST', htu: HTU, now: Date.now(), iatWindowSeconds: 300, keys };
}

const proofOf = (pair: KeyPair) => generateProof(pair, HTU, 'POST');

/** The same proof with one character of its signature changed. */
function tampered(proof: string): string {
  const i = proof.lastIndexOf('.') + 5;
  return proof.slice(0, i) + (proof[i] === 'A' ? 'B' : 'A') + proof.slice(i + 1);
}

describe('DPoP proof keys, imported once', () => {
  test('a second proof with the same key hits the cache and yields the same RFC 7638 thumbprint', async () => {
    const pair = await generateKeyPair('ES256');
    const keys = new ProofKeyCache(8);
    const first = await verifyProof(await proofOf(pair), expectation(keys));
    assert.equal(keys.size, 1);
    const second = await verifyProof(await proofOf(pair), expectation(keys));
    assert.equal(keys.size, 1, 'the same header is one entry');
    const expected = await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
    assert.equal(first.jkt, expected);
    assert.equal(second.jkt, expected);
    assert.notEqual(first.jti, second.jti);
  });

  test('a cached key does not skip the signature check: a tampered proof with a cached header is refused', async () => {
    const pair = await generateKeyPair('ES256');
    const keys = new ProofKeyCache(8);
    await verifyProof(await proofOf(pair), expectation(keys));
    await assert.rejects(verifyProof(tampered(await proofOf(pair)), expectation(keys)), (err: Error & { code?: string }) => {
      assert.match(err.message, /signature does not verify/);
      return true;
    });
  });

  test('a proof whose signature fails is not remembered', async () => {
    const keys = new ProofKeyCache(8);
    const pair = await generateKeyPair('ES256');
    await assert.rejects(verifyProof(tampered(await proofOf(pair)), expectation(keys)));
    assert.equal(keys.size, 0);
  });

  test('different keys and algorithms are different entries, and the least recently used goes first', async () => {
    const keys = new ProofKeyCache(2);
    const [a, b, c] = await Promise.all([generateKeyPair('ES256'), generateKeyPair('Ed25519'), generateKeyPair('PS256')]);
    const jktA = (await verifyProof(await proofOf(a), expectation(keys))).jkt;
    await verifyProof(await proofOf(b), expectation(keys));
    await verifyProof(await proofOf(a), expectation(keys)); // a is now the most recent
    await verifyProof(await proofOf(c), expectation(keys)); // evicts b
    assert.equal(keys.size, 2);
    const segments = [a, b, c].map(async (p) => (await proofOf(p)).split('.')[0]!);
    const [sa, sb, sc] = await Promise.all(segments);
    assert.equal(keys.get(sa!)?.jkt, jktA);
    assert.equal(keys.get(sb!), undefined);
    assert.ok(keys.get(sc!));
  });

  test('capacity 0 imports every key and keeps none', async () => {
    const keys = new ProofKeyCache(0);
    const pair = await generateKeyPair('ES256');
    const { jkt } = await verifyProof(await proofOf(pair), expectation(keys));
    await verifyProof(await proofOf(pair), expectation(keys));
    assert.equal(keys.size, 0);
    assert.equal(jkt, await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256'));
  });
});

function fakeClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) } as Clock & { advance(ms: number): void };
}

describe('DPoP nonces with the step values kept', () => {
  test('the current and the previous step are accepted, older ones and other servers\' are not', () => {
    const clock = fakeClock(1_800_000_000_000);
    const secret = Buffer.alloc(32, 7);
    const nonces = new NonceSource(secret, clock, 60);
    const first = nonces.current();
    assert.ok(nonces.accepts(first));
    clock.advance(60_000);
    const second = nonces.current();
    assert.notEqual(second, first);
    assert.ok(nonces.accepts(first), 'previous step');
    assert.ok(nonces.accepts(second));
    clock.advance(60_000);
    assert.equal(nonces.accepts(first), false, 'two steps old');
    // Another instance with the same secret agrees, whatever it computed before.
    const other = new NonceSource(secret, clock, 60);
    assert.equal(other.current(), nonces.current());
    assert.equal(new NonceSource(Buffer.alloc(32, 8), clock, 60).accepts(nonces.current()), false);
  });
});

describe('DPoP replay cache sweep', () => {
  test('a jti is refused while remembered and free again once expired, after a sweep of many entries', async () => {
    const clock = fakeClock(1_800_000_000_000);
    const cache = new MemoryReplayCache(clock);
    const digest = (n: number) => Buffer.from(`proof-${n}`);
    // Past the sweep threshold, with expiries spread out of order a little.
    for (let i = 0; i < 12_000; i++) assert.equal(await cache.claim(digest(i), 10_000 + (i % 7) * 100), true);
    assert.equal(await cache.claim(digest(5), 10_000), false);
    clock.advance(11_000);
    // A claim after the sweep interval sweeps; every earlier proof has expired, so each may be claimed again.
    assert.equal(await cache.claim(digest(20_000), 10_000), true);
    assert.equal(await cache.claim(digest(5), 10_000), true);
    assert.equal(await cache.claim(digest(5), 10_000), false);
    assert.equal(await cache.claim(digest(20_000), 10_000), false);
  });
});

/**
 * A proof under a header already verified takes the synchronous check (proof-keys.ts `signatureCheck`) instead of
 * jose's compactVerify. Each case below is judged twice: with the key cache off (jose does all of it) and with the
 * header cached by an earlier valid proof (the synchronous check). The two must agree on every one.
 */
describe('DPoP proofs under a cached header are judged as jose judges them', () => {
  type Signer = { header: Record<string, unknown>; sign(input: Buffer): Buffer; other(input: Buffer): Buffer };

  function signer(alg: 'ES256' | 'EdDSA' | 'Ed25519' | 'RS256' | 'PS256'): Signer {
    const type = alg === 'ES256' ? 'ec' : alg === 'EdDSA' || alg === 'Ed25519' ? 'ed25519' : 'rsa';
    const make = () => (type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519'));
    const mine = make();
    const theirs = make();
    const { kty, crv, x, y, n, e } = mine.publicKey.export({ format: 'jwk' });
    const jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
    const options = (key: KeyObject) =>
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
    const hashOf = type === 'ed25519' ? null : 'sha256';
    return {
      header: { typ: 'dpop+jwt', alg, jwk },
      sign: (input) => cryptoSign(hashOf, input, options(mine.privateKey)),
      other: (input) => cryptoSign(hashOf, input, options(theirs.privateKey)),
    };
  }

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = () => ({ jti: randomUUID(), htm: 'POST', htu: HTU, iat: Math.floor(Date.now() / 1000) });

  /** A proof: the header as `s` has it, fresh claims, and the signature `sign` makes over the signing input. */
  function build(s: Signer, sign: (input: Buffer) => Buffer = s.sign, payload = b64(claims())): string {
    const input = `${b64(s.header)}.${payload}`;
    return `${input}.${sign(Buffer.from(input)).toString('base64url')}`;
  }

  async function judged(proof: string, keys: ProofKeyCache): Promise<string> {
    try {
      await verifyProof(proof, expectation(keys));
      return 'accepted';
    } catch (err) {
      return `refused: ${(err as Error).message}`;
    }
  }

  for (const alg of ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const) for (const mode of ['webcrypto', 'synchronous'] as const) {
    test(`${alg}, ${mode} check: valid, tampered, wrong key, malformed segments`, async () => {
      const s = signer(alg);
      const cases: Record<string, () => string> = {
        valid: () => build(s),
        'signature by another key': () => build(s, s.other),
        'one signature character changed': () => tampered(build(s)),
        'signature cut short': () => build(s).slice(0, -4),
        'empty signature': () => build(s, () => Buffer.alloc(0)),
        'payload with base64 padding': () => build(s, s.sign, `${b64(claims())}==`),
        'payload with a "+"': () => build(s, s.sign, `${b64(claims())}+`),
        'payload that is not JSON': () => build(s, s.sign, Buffer.from('not json').toString('base64url')),
      };
      if (alg === 'ES256') cases['ECDSA signature in DER form'] = () => build(s, (input) => cryptoSign('sha256', input, { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }));
      const warm = new ProofKeyCache(8, mode);
      assert.equal(await judged(build(s), warm), 'accepted', 'a first proof puts the header in the cache');
      assert.equal(warm.size, 1);
      for (const [name, make] of Object.entries(cases)) {
        const proof = make();
        const cold = await judged(proof, new ProofKeyCache(0));
        assert.equal(await judged(proof, warm), cold, `${alg} ${name}: the cached path (${mode}) judges as jose does`);
        assert.equal(cold === 'accepted', name === 'valid', `${alg} ${name}: ${cold}`);
      }
    });
  }

  test('PS256 with a salt longer than the hash is refused on both paths, as WebCrypto refuses it', async () => {
    const s = signer('PS256');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const header = { ...s.header, jwk: Object.fromEntries(Object.entries(createPublicKey(privateKey).export({ format: 'jwk' })).filter(([k]) => ['kty', 'n', 'e'].includes(k))) };
    const pss = (saltLength: number) => (input: Buffer) => cryptoSign('sha256', input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    const t: Signer = { header, sign: pss(32), other: pss(64) };
    const longSalt = build(t, t.other);
    assert.match(await judged(longSalt, new ProofKeyCache(0)), /^refused/);
    for (const mode of ['webcrypto', 'synchronous'] as const) {
      const warm = new ProofKeyCache(8, mode);
      assert.equal(await judged(build(t), warm), 'accepted');
      assert.match(await judged(longSalt, warm), /^refused/, mode);
    }
  });
});
