import { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

/** What the owner of a connection logs when Redis goes away and when it is back (no URL, no credentials). */
export interface RedisHealthMessages {
  down: string;
  back: string;
}

/**
 * A Redis connection that fails commands at once while disconnected (no offline queue, no retries per request),
 * so a dead Redis costs a request `timeoutMs` at most, and reconnects in the background. Health changes are logged
 * once each way.
 */
export function connectRedis(url: string, options: { timeoutMs: number; logger: Logger; messages: RedisHealthMessages }): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.timeoutMs,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let healthy = true;
  // Without an 'error' listener ioredis would crash the process on the first refused connection.
  redis.on('error', (err: Error) => {
    if (healthy) options.logger.warn({ err: { message: err.message } }, options.messages.down);
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) options.logger.info({}, options.messages.back);
    healthy = true;
  });
  return redis;
}

/** Waits (at most `timeoutMs`) for the connection; false if Redis is not there yet. */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
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

/** QUIT, or drop the connection when Redis cannot answer it. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
