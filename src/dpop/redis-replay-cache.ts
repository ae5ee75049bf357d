import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { closeRedis, connectRedis, redisReady } from '../redis/connection.js';
import type { ProofReplayCache } from './replay-cache.js';

/**
 * Used proofs in Redis, shared by every instance: `SET key 1 PX ttl NX` succeeds for exactly one of any number of
 * requests carrying the same proof, whichever instance each reaches. Unlike the rate limiter, this fails closed:
 * while Redis cannot answer, proofs are refused with 503 (the client retries with a fresh proof; its token is
 * untouched), because a per-instance fallback would let a proof captured on one instance be replayed on another.
 */
export class RedisReplayCache implements ProofReplayCache {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: { keyPrefix: string; logger: Logger; timeoutMs?: number }) {
    this.#prefix = `${options.keyPrefix}:`;
    this.#redis = connectRedis(url, {
      timeoutMs: options.timeoutMs ?? 250,
      logger: options.logger,
      messages: { down: 'DPoP replay cache: Redis unavailable; DPoP proofs are refused (503) until it returns', back: 'DPoP replay cache: Redis is back' },
    });
  }

  async claim(digest: Buffer, ttlMs: number): Promise<boolean> {
    try {
      const set = await this.#redis.set(this.#prefix + digest.toString('base64url'), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return set === 'OK';
    } catch (err) {
      throw new StoreUnavailableError('DPoP replay cache unavailable', { cause: err });
    }
  }

  /** Waits (at most `timeoutMs`) for the connection, so the first proofs after a start are not refused. */
  ready(timeoutMs = 2000): Promise<boolean> {
    return redisReady(this.#redis, timeoutMs);
  }

  close(): Promise<void> {
    return closeRedis(this.#redis);
  }
}
