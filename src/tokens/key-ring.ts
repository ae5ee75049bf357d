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

async function generate<A extends number | null>(alg: SigningAlg, now: number, activatesAt: A): Promise<SigningKey & { activatesAt: A }> {
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
    activatesAt,
    retiredAt: null,
    verifyUntil: null,
  };
}

/** Of two keys that may sign now, whether `a` took over from `b`: activated later, else created later. */
function signsAfter(a: SigningKey, b: SigningKey): boolean {
  const [x, y] = [a.activatesAt ?? -Infinity, b.activatesAt ?? -Infinity];
  if (x !== y) return x > y;
  return a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.kid > b.kid;
}

/** What a rotation did: the new key, when it begins signing, and until when the keys it replaces verify. */
export interface Rotation {
  key: SigningKey & { activatesAt: number };
  /** How many keys it retires (at `key.activatesAt`). */
  retired: number;
  /** The retired keys stay in the JWKS until then. */
  verifyUntil: number;
}

/**
 * Signing keys, persisted in the store so every instance signs with the same keys and publishes the same JWKS.
 * Every key is published from its creation; of an algorithm's keys, the one activated last among those active now
 * signs. The hand-over is a time in the store, not an event: every instance switches at the same instant, whenever
 * it last read the store, and a retired key stays published until `verifyUntil`.
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
    const now = this.#clock.now();
    let best: LoadedKey | undefined;
    for (const k of keys) {
      const { record } = k;
      if (record.alg !== alg || (record.activatesAt ?? -Infinity) > now || (record.retiredAt !== null && record.retiredAt <= now)) continue;
      if (!best || signsAfter(record, best.record)) best = k;
    }
    return best;
  }

  /** The key that signs for `alg` (and its private JWK, for signing workers), generated and persisted on first use. */
  async signingKey(alg: SigningAlg): Promise<{ kid: string; key: CryptoKey; privateJwk: string }> {
    const keys = await this.#fresh();
    let key = this.#active(keys, alg);
    // Only an algorithm with no key at all gets one here; one whose next key is still pending keeps its signer.
    if (!key && !keys.some((k) => k.record.alg === alg)) {
      // Concurrent first uses share one generation (the benchmark's parallel issuance created one key per caller).
      let generating = this.#generating.get(alg);
      if (!generating) {
        generating = (async () => {
          await this.#store.insertSigningKey(await generate(alg, this.#clock.now(), null));
          this.invalidate();
        })().finally(() => this.#generating.delete(alg));
        this.#generating.set(alg, generating);
      }
      await generating;
      key = this.#active(await this.#fresh(), alg);
    }
    if (!key) throw new Error(`no signing key for ${alg} now`);
    return { kid: key.record.kid, key: key.privateKey, privateJwk: key.record.privateJwk };
  }

  /** Makes sure a key exists for `alg` (used at boot so the JWKS is never empty). */
  async ensure(alg: SigningAlg): Promise<void> {
    await this.signingKey(alg);
  }

  /**
   * Creates a new key for `alg`, published at once and signing after `activationDelaySeconds`; the keys it replaces
   * sign until then and verify for `graceSeconds` after it. A key exists for `alg` before (so something signs during
   * the delay).
   */
  async rotate(alg: SigningAlg, options: { activationDelaySeconds: number; graceSeconds: number }): Promise<Rotation> {
    await this.ensure(alg);
    const now = this.#clock.now();
    const key = await generate(alg, now, now + options.activationDelaySeconds * 1000);
    const verifyUntil = key.activatesAt + options.graceSeconds * 1000;
    const retired = await this.#store.rotateSigningKey(key, verifyUntil);
    this.invalidate();
    return { key, retired, verifyUntil };
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
