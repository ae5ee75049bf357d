import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { silentLogger, type Logger } from '../core/logger.js';
import { closeRedis, connectRedis, redisReady } from '../redis/connection.js';

/**
 * One named limit: at most `points` requests per key in a window of `windowSeconds` that starts at the key's
 * first request (rate-limiter-flexible's counter). A rule with 0 points is off.
 */
export interface RateLimitRule {
  name: string;
  points: number;
  windowSeconds: number;
}

/** What one request may do, in the terms of Auth0's headers. */
export interface RateLimitDecision {
  allowed: boolean;
  /** x-ratelimit-limit */
  limit: number;
  /** x-ratelimit-remaining */
  remaining: number;
  /** x-ratelimit-reset: when the window ends, in UNIX epoch seconds. */
  resetAt: number;
  /** Retry-After on a 429: whole seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  rules: readonly RateLimitRule[];
  /** Shared counters across instances; without it every instance counts on its own, in memory. */
  redisUrl?: string | null;
  /** Key prefix in Redis, so several deployments (or tests) can share one server. */
  keyPrefix?: string;
  logger?: Logger;
  /** How long a Redis command may take before this instance falls back to its own counters (default 250 ms). */
  redisTimeoutMs?: number;
}

/**
 * Counts requests per rule and key: in memory, or in Redis shared by every instance. If Redis cannot be reached
 * (down, slow, not yet connected) each instance falls back to its own in-memory counters with the same limits:
 * the service keeps answering — a rate-limit cache must not become a single point of failure for token refresh —
 * while a single instance still cannot be flooded.
 */
export class RateLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #rules = new Map<string, RateLimitRule>();
  readonly #redis: Redis | null;
  readonly #logger: Logger;

  constructor(options: RateLimiterOptions) {
    this.#logger = options.logger ?? silentLogger;
    const prefix = options.keyPrefix ?? 'refreshd:rl';
    this.#redis = options.redisUrl ? connectRedis(options.redisUrl, {
          timeoutMs: options.redisTimeoutMs ?? 250,
          logger: this.#logger,
          messages: { down: 'rate limiter: Redis unavailable; counting per instance until it returns', back: 'rate limiter: Redis is back; counters are shared again' },
        }) : null;
    for (const rule of options.rules) {
      if (rule.points <= 0) continue;
      this.#rules.set(rule.name, rule);
      const base = { keyPrefix: `${prefix}:${rule.name}`, points: rule.points, duration: rule.windowSeconds };
      const memory = new RateLimiterMemory(base);
      this.#limiters.set(
        rule.name,
        this.#redis ? new RateLimiterRedis({ ...base, storeClient: this.#redis, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory,
      );
    }
  }

  /** True when at least one rule is on. */
  get active(): boolean {
    return this.#limiters.size > 0;
  }

  /** True when `rule` is on (has points). */
  has(rule: string): boolean {
    return this.#limiters.has(rule);
  }

  /** Counts one request against `rule` for `key`; null when that rule is off. Never throws. */
  async consume(rule: string, key: string): Promise<RateLimitDecision | null> {
    const limiter = this.#limiters.get(rule);
    const config = this.#rules.get(rule);
    if (!limiter || !config) return null;
    const now = Date.now();
    try {
      return decision(config, await limiter.consume(key), true, now);
    } catch (err) {
      if (err instanceof RateLimiterRes) return decision(config, err, false, now);
      // Both Redis and the fallback failed: let the request through rather than fail a refresh.
      this.#logger.error({ err, rule }, 'rate limiter failed; request allowed');
      return null;
    }
  }

  /**
   * The decision for `key` under `rule` without counting a request: refused when the window's points are spent.
   * Null when the rule is off or the key has no count. Never throws.
   */
  async peek(rule: string, key: string): Promise<RateLimitDecision | null> {
    const limiter = this.#limiters.get(rule);
    const config = this.#rules.get(rule);
    if (!limiter || !config) return null;
    const now = Date.now();
    try {
      const res = await limiter.get(key);
      return res ? decision(config, res, res.consumedPoints < config.points, now) : null;
    } catch (err) {
      this.#logger.error({ err, rule }, 'rate limiter failed; request allowed');
      return null;
    }
  }

  /**
   * Waits (at most `timeoutMs`) for Redis, so an instance that just started counts in the shared store from its
   * first request. Returns false if Redis is not there yet; the instance then starts on its own counters.
   */
  async ready(timeoutMs = 2000): Promise<boolean> {
    return this.#redis ? redisReady(this.#redis, timeoutMs) : true;
  }

  async close(): Promise<void> {
    if (this.#redis) await closeRedis(this.#redis);
  }
}

function decision(rule: RateLimitRule, res: RateLimiterRes, allowed: boolean, now: number): RateLimitDecision {
  const ms = Math.max(0, res.msBeforeNext);
  return {
    allowed,
    limit: rule.points,
    remaining: Math.max(0, res.remainingPoints),
    resetAt: Math.ceil((now + ms) / 1000),
    retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)),
  };
}

/** Of several decisions for one request, the one to report: a refusal first, else the fewest remaining. */
export function mostRestrictive(a: RateLimitDecision | null | undefined, b: RateLimitDecision | null | undefined): RateLimitDecision | null {
  if (!a) return b ?? null;
  if (!b) return a;
  if (a.allowed !== b.allowed) return a.allowed ? b : a;
  return b.remaining < a.remaining ? b : a;
}
