import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
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
    this.#redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 250,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let healthy = true;
    // Without an 'error' listener ioredis would crash the process on the first refused connection.
    this.#redis.on('error', (err: Error) => {
      if (healthy) options.logger.warn({ err: { message: err.message } }, 'DPoP replay cache: Redis unavailable; DPoP proofs are refused (503) until it returns');
      healthy = false;
    });
    this.#redis.on('ready', () => {
      if (!healthy) options.logger.info({}, 'DPoP replay cache: Redis is back');
      healthy = true;
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
  async ready(timeoutMs = 2000): Promise<boolean> {
    const redis = this.#redis;
    if (redis.status === 'ready') return true;
    return new Promise((ok) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        ok(value);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
