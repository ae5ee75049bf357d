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
    // Re-inserted at the end, so the map stays in about expiry order for the sweep.
    this.#seen.delete(key);
    this.#seen.set(key, now + ttlMs);
    return true;
  }

  #sweep(now: number): void {
    if (this.#seen.size < SWEEP_ABOVE || now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    // Entries expire in about the order they were added (a proof's iat is within the window of now), so the
    // sweep stops at the first live one: its cost follows what expired, not everything held (a full pass over
    // 300 s of proofs held the event loop for milliseconds every second). A stray early expiry behind a live
    // entry waits for a later sweep; claim() checks the time itself, so that is memory, not a wrong answer.
    for (const [key, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(key);
    }
  }

  async close(): Promise<void> {
    this.#seen.clear();
  }
}
