import { calculateJwkThumbprint, EmbeddedJWK, type CompactJWSHeaderParameters, type CryptoKey, type FlattenedJWSInput, type JWK } from 'jose';

/** A proof key as jose imported it, with its RFC 7638 thumbprint. */
export interface ProofKey {
  key: CryptoKey;
  jkt: string;
}

/**
 * The public keys of recent DPoP proofs, imported once: a client signs every proof with the same key, and
 * importing its JWK (WebCrypto `importKey`) and hashing its thumbprint cost more on the event loop than the
 * signature check itself (bench profile: 20 % of the main thread in `EmbeddedJWK`).
 *
 * Entries are keyed by the proof's protected header exactly as sent (base64url, so `alg`, `typ` and every `jwk`
 * member), so a hit is a proof whose header jose would import into the very same key; any other header misses and
 * goes through jose's `EmbeddedJWK` and its checks. Only keys whose proof verified are kept. Bounded, least
 * recently used first out, so nothing grows with the number of clients; `0` turns it off.
 */
export class ProofKeyCache {
  readonly #entries = new Map<string, ProofKey>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError('capacity must be a whole number, 0 or more');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The key for a proof's protected header segment, if one is cached (and marks it recently used). */
  get(protectedSegment: string): ProofKey | undefined {
    const hit = this.#entries.get(protectedSegment);
    if (hit) {
      this.#entries.delete(protectedSegment);
      this.#entries.set(protectedSegment, hit);
    }
    return hit;
  }

  /** Remembers a verified proof's key. */
  set(protectedSegment: string, entry: ProofKey): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(protectedSegment);
    this.#entries.set(protectedSegment, entry);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** jose's import of the `jwk` header (public keys only), and the key's thumbprint. */
export async function importProofKey(header: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<ProofKey> {
  const key = (await EmbeddedJWK(header, token)) as CryptoKey;
  return { key, jkt: await calculateJwkThumbprint(header.jwk as JWK, 'sha256') };
}
