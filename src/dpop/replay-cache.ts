import type { Clock } from '../core/clock.js';

/**
 * Remembers which DPoP proofs were used (RFC 9449 §11.1), by a digest of the key's thumbprint and the `jti`, never
 * the `jti` itself, for as long as the proof could still pass the `iat` check.
 */
export interface ProofReplayCache {
  /** Records `digest` for `ttlMs`; true only for the first call with it inside that time. */
  claim(digest: Buffer, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Sweeps at most this often, and only once the map has this many entries. */
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_ABOVE = 10_000;

/** One instance's memory: right for a single instance; several instances share Redis (redis-replay-cache.ts). */
export class MemoryReplayCache implements ProofReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #clock: Clock;
  #lastSweep = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async claim(digest: Buffer, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    this.#sweep(now);
    const key = digest.toString('base64url');
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    this.#seen.set(key, now + ttlMs);
    return true;
  }

  #sweep(now: number): void {
    if (this.#seen.size < SWEEP_ABOVE || now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key);
  }

  async close(): Promise<void> {
    this.#seen.clear();
  }
}
