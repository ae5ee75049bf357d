import { hash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { OAuthError } from '../core/errors.js';
import type { Client } from '../core/types.js';
import { dpopNonceRequired } from '../core/proof-of-possession.js';
import type { NonceSource } from './nonce.js';
import { invalidProof, verifyProof, type ProofExpectation, type VerifiedProof } from './proof.js';
import { ProofKeyCache } from './proof-keys.js';
import type { ProofReplayCache } from './replay-cache.js';

/** What a request's valid DPoP proof establishes: the key it holds. */
export interface DpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key, base64url. */
  jkt: string;
}

/** Checks proofs elsewhere (the crypto workers, each with its own key cache); without one, on the event loop. */
export interface ProofChecker {
  verifyProof(proof: string, expect: Omit<ProofExpectation, 'keys'>): Promise<VerifiedProof>;
}

export interface DpopSettings {
  /** How far a proof's `iat` may be from the server's time, either way (seconds). */
  iatWindowSeconds: number;
  /** Length of a nonce time step (seconds); a nonce is accepted during its step and the next. */
  nonceStepSeconds: number;
  /** Proof keys kept imported (proof-keys.ts), least recently used out first; 0: import every proof's key. */
  keyCacheSize: number;
}

export const DPOP_DEFAULTS: DpopSettings = { iatWindowSeconds: 300, nonceStepSeconds: 60, keyCacheSize: 1024 };

/**
 * The token endpoint's DPoP step, after client authentication: at most one `DPoP` header, the proof itself
 * (proof.ts), the server nonce when the client must send one, and the `jti` not seen before on any instance.
 * Returns null for a request without a proof; whether one was required is the grant's decision.
 */
export class DpopVerifier {
  readonly #tokenEndpoint: string;
  readonly #settings: DpopSettings;
  readonly #replay: ProofReplayCache;
  readonly #nonces: NonceSource;
  readonly #clock: Clock;
  readonly #checker: ProofChecker;

  constructor(options: { tokenEndpoint: string; settings: DpopSettings; replay: ProofReplayCache; nonces: NonceSource; clock: Clock; checker?: ProofChecker | null }) {
    this.#tokenEndpoint = options.tokenEndpoint;
    this.#settings = options.settings;
    this.#replay = options.replay;
    this.#nonces = options.nonces;
    this.#clock = options.clock;
    this.#checker = options.checker ?? onThisThread(options.settings.keyCacheSize);
  }

  /** A fresh nonce, offered on every answer to a request that carried a proof. */
  nonce(): string {
    return this.#nonces.current();
  }

  async verify(headers: readonly string[], client: Client, method = 'POST'): Promise<DpopProof | null> {
    if (headers.length === 0) return null;
    if (headers.length > 1) throw invalidProof('Send exactly one DPoP header.');
    const now = this.#clock.now();
    const proof = await this.#checker.verifyProof(headers[0]!, { htm: method, htu: this.#tokenEndpoint, now, iatWindowSeconds: this.#settings.iatWindowSeconds });
    if (proof.nonce !== undefined ? !this.#nonces.accepts(proof.nonce) : dpopNonceRequired(client)) {
      throw new OAuthError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.', {
        headers: { 'dpop-nonce': this.#nonces.current() },
        detail: proof.nonce === undefined ? 'no nonce' : 'stale or unknown nonce',
      });
    }
    // Kept until the proof's iat leaves the window (plus a second for rounding): after that the iat check refuses it.
    const ttlMs = (proof.iat + this.#settings.iatWindowSeconds + 1) * 1000 - now;
    const digest = hash('sha256', `${proof.jkt}.${proof.jti}`, 'buffer');
    if (!(await this.#replay.claim(digest, Math.max(1000, ttlMs)))) throw invalidProof('The DPoP proof was already used.', `jti replayed by ${proof.jkt}`);
    return { jkt: proof.jkt };
  }

  close(): Promise<void> {
    return this.#replay.close();
  }
}

/** Proofs checked on the calling thread (the event loop), with its own cache of proof keys. */
function onThisThread(keyCacheSize: number): ProofChecker {
  const keys = new ProofKeyCache(keyCacheSize);
  return { verifyProof: (proof, expect) => verifyProof(proof, { ...expect, keys }) };
}
