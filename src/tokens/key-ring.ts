import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose';
import type { Clock } from '../core/clock.js';
import type { SigningAlg, SigningKey } from '../core/types.js';
import type { KeyStore } from '../ports/store.js';

interface LoadedKey {
  record: SigningKey;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface KeyRingOptions {
  /** How often other instances' key rotations are picked up (default 30 s). */
  refreshIntervalMs?: number;
}

async function generate(alg: SigningAlg, now: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = randomBytes(12).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return {
    kid,
    alg,
    privateJwk: JSON.stringify(privateJwk),
    publicJwk: JSON.stringify(publicJwk),
    createdAt: now,
    retiredAt: null,
    verifyUntil: null,
  };
}

/**
 * Signing keys, persisted in the store so every instance signs with the same keys and publishes the same JWKS.
 * The newest unretired key of an algorithm signs; retired keys stay published until `verifyUntil`.
 */
export class KeyRing {
  readonly #store: KeyStore;
  readonly #clock: Clock;
  readonly #refreshMs: number;
  #keys: LoadedKey[] = [];
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;
  readonly #generating = new Map<SigningAlg, Promise<void>>();

  constructor(store: KeyStore, clock: Clock, options: KeyRingOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#refreshMs = options.refreshIntervalMs ?? 30_000;
  }

  async #load(): Promise<void> {
    const records = await this.#store.listSigningKeys();
    const known = new Map(this.#keys.map((k) => [k.record.kid, k]));
    const loaded: LoadedKey[] = [];
    for (const record of records) {
      const prev = known.get(record.kid);
      if (prev) {
        loaded.push({ ...prev, record });
        continue;
      }
      const publicJwk = JSON.parse(record.publicJwk) as JWK;
      loaded.push({
        record,
        privateKey: (await importJWK(JSON.parse(record.privateJwk) as JWK, record.alg)) as CryptoKey,
        publicKey: (await importJWK(publicJwk, record.alg)) as CryptoKey,
        publicJwk,
      });
    }
    this.#keys = loaded;
    this.#loadedAt = this.#clock.now();
  }

  async #fresh(): Promise<LoadedKey[]> {
    if (this.#clock.now() - this.#loadedAt >= this.#refreshMs) {
      this.#loading ??= this.#load().finally(() => {
        this.#loading = null;
      });
      await this.#loading;
    }
    return this.#keys;
  }

  /** Drops the cache so the next call reads the store. */
  invalidate(): void {
    this.#loadedAt = -Infinity;
  }

  #active(keys: LoadedKey[], alg: SigningAlg): LoadedKey | undefined {
    let best: LoadedKey | undefined;
    for (const k of keys) {
      if (k.record.alg !== alg || k.record.retiredAt !== null) continue;
      if (!best || k.record.createdAt > best.record.createdAt || (k.record.createdAt === best.record.createdAt && k.record.kid > best.record.kid)) best = k;
    }
    return best;
  }

  /** The key that signs for `alg` (and its private JWK, for signing workers), generated and persisted on first use. */
  async signingKey(alg: SigningAlg): Promise<{ kid: string; key: CryptoKey; privateJwk: string }> {
    let key = this.#active(await this.#fresh(), alg);
    if (!key) {
      // Concurrent first uses share one generation (the benchmark's parallel issuance created one key per caller).
      let generating = this.#generating.get(alg);
      if (!generating) {
        generating = (async () => {
          await this.#store.insertSigningKey(await generate(alg, this.#clock.now()));
          this.invalidate();
        })().finally(() => this.#generating.delete(alg));
        this.#generating.set(alg, generating);
      }
      await generating;
      key = this.#active(await this.#fresh(), alg);
      if (!key) throw new Error(`no signing key for ${alg} after generating one`);
    }
    return { kid: key.record.kid, key: key.privateKey, privateJwk: key.record.privateJwk };
  }

  /** Makes sure a key exists for `alg` (used at boot so the JWKS is never empty). */
  async ensure(alg: SigningAlg): Promise<void> {
    await this.signingKey(alg);
  }

  /** Creates a new key for `alg` and retires the others, which keep verifying for `graceSeconds`. */
  async rotate(alg: SigningAlg, graceSeconds: number): Promise<SigningKey> {
    const now = this.#clock.now();
    const record = await generate(alg, now);
    await this.#store.insertSigningKey(record);
    await this.#store.retireSigningKeys(alg, record.kid, now, now + graceSeconds * 1000);
    this.invalidate();
    return record;
  }

  #verifiable(keys: LoadedKey[]): LoadedKey[] {
    const now = this.#clock.now();
    return keys.filter((k) => k.record.retiredAt === null || (k.record.verifyUntil !== null && k.record.verifyUntil > now));
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: this.#verifiable(await this.#fresh()).map((k) => k.publicJwk) };
  }

  /** Key lookup for jose's jwtVerify: by `kid` and `alg`; an unknown kid triggers one reload (another instance rotated). */
  async verificationKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    const find = (keys: LoadedKey[]) => this.#verifiable(keys).find((k) => k.record.kid === header.kid && k.record.alg === header.alg);
    let found = find(await this.#fresh());
    if (!found && header.kid && this.#clock.now() - this.#loadedAt > 1000) {
      this.invalidate();
      found = find(await this.#fresh());
    }
    if (!found) throw new Error('no verification key for this token');
    return found.publicKey;
  }
}
