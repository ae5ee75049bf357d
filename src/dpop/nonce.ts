import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';

const LABEL = Buffer.from('refreshd DPoP nonce v1\n');

/**
 * Server-issued DPoP nonces (RFC 9449 §8) without shared state per request: a nonce is an HMAC of the current
 * time step under a secret every instance reads from the database, so any instance recognises what another
 * issued. The current and the previous step are accepted, so a nonce lives between one and two steps.
 */
export class NonceSource {
  readonly #secret: Buffer;
  readonly #clock: Clock;
  readonly #stepMs: number;
  /** The values of the steps in use (current and previous): computing an HMAC per request is wasted work when the step changes once a minute. */
  readonly #values = new Map<number, string>();

  constructor(secret: Buffer, clock: Clock, stepSeconds: number) {
    if (!Number.isInteger(stepSeconds) || stepSeconds < 1) throw new TypeError('stepSeconds must be a whole number of seconds, at least 1');
    this.#secret = secret;
    this.#clock = clock;
    this.#stepMs = stepSeconds * 1000;
  }

  /** The nonce to hand out now (base64url, so within RFC 9449's NQCHAR). */
  current(): string {
    return this.#valueAt(this.#step());
  }

  /** Whether `nonce` is the current or the previous step's, compared in constant time. */
  accepts(nonce: string): boolean {
    const presented = Buffer.from(nonce);
    const step = this.#step();
    const current = Buffer.from(this.current());
    const previous = Buffer.from(this.#valueAt(step - 1));
    // Both comparisons always run, so the time taken says nothing about which one matched.
    const a = presented.length === current.length && timingSafeEqual(presented, current);
    const b = presented.length === previous.length && timingSafeEqual(presented, previous);
    return a || b;
  }

  #step(): number {
    return Math.floor(this.#clock.now() / this.#stepMs);
  }

  #valueAt(step: number): string {
    let value = this.#values.get(step);
    if (value === undefined) {
      value = this.#compute(step);
      this.#values.set(step, value);
      for (const kept of this.#values.keys()) if (kept < step - 1 || kept > step + 1) this.#values.delete(kept);
    }
    return value;
  }

  #compute(step: number): string {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.max(0, step)));
    return createHmac('sha256', this.#secret).update(LABEL).update(counter).digest().subarray(0, 24).toString('base64url');
  }
}
