import { constants, KeyObject, verify } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, type CompactJWSHeaderParameters, type CryptoKey, type FlattenedJWSInput, type JWK } from 'jose';

/** A proof key as jose imported it, with its RFC 7638 thumbprint. */
export interface ProofKey {
  key: CryptoKey;
  jkt: string;
  /** The signature check of later proofs under the same header (see `signatureCheck`). */
  check: SignatureCheck;
}

/** Whether `signature` is the proof key's signature over `signingInput`. */
export type SignatureCheck = (signingInput: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;

/**
 * How later proofs under a cached header are checked: `webcrypto` on libuv's pool (for the event loop, which
 * has other requests to serve meanwhile), `synchronous` on the calling thread (for a crypto worker, whose only
 * work this is: a hand-off to the pool and back would only add latency).
 */
export type CheckMode = 'webcrypto' | 'synchronous';

/**
 * The WebCrypto parameters jose verifies each JWS algorithm with (RFC 7518 §3): ECDSA with the raw r||s
 * signature, RSASSA-PKCS1-v1_5, RSASSA-PSS with a salt as long as the hash, Ed25519. The hash of the RSA ones is
 * part of the imported key.
 */
const VERIFY_PARAMS: Record<string, Parameters<typeof crypto.subtle.verify>[0]> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  EdDSA: { name: 'Ed25519' },
  Ed25519: { name: 'Ed25519' },
};

/**
 * The signature check of later proofs under a header jose has accepted, without jose's parsing and checks of a
 * header already checked (those cost ~25 µs per proof, bench/FINDINGS.md): `webcrypto` is the very
 * `crypto.subtle.verify` call jose's compactVerify ends in; `synchronous` is the same operation through
 * node:crypto's OpenSSL binding, with RFC 7518's parameters (raw r||s ECDSA signatures, PSS salt = hash length).
 */
function signatureCheck(alg: string, key: CryptoKey, mode: CheckMode): SignatureCheck {
  const params = VERIFY_PARAMS[alg];
  if (!params) throw new TypeError(`no signature check for alg ${alg}`);
  if (mode === 'webcrypto') return (input, signature) => crypto.subtle.verify(params, key, signature, input);
  const keyObject = KeyObject.from(key);
  switch (alg) {
    case 'ES256':
      return (input, signature) => signature.length === 64 && verify('sha256', input, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
    case 'RS256':
      return (input, signature) => verify('sha256', input, keyObject, signature);
    case 'PS256':
      return (input, signature) => verify('sha256', input, { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    default:
      return (input, signature) => verify(null, input, keyObject, signature);
  }
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
  readonly mode: CheckMode;

  constructor(capacity: number, mode: CheckMode = 'webcrypto') {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError('capacity must be a whole number, 0 or more');
    this.#capacity = capacity;
    this.mode = mode;
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
export async function importProofKey(header: CompactJWSHeaderParameters, token: FlattenedJWSInput, mode: CheckMode = 'webcrypto'): Promise<ProofKey> {
  const key = (await EmbeddedJWK(header, token)) as CryptoKey;
  return { key, jkt: await calculateJwkThumbprint(header.jwk as JWK, 'sha256'), check: signatureCheck(header.alg!, key, mode) };
}
