import type { FastifyReply, FastifyRequest } from 'fastify';
import { mostRestrictive, type RateLimitDecision, type RateLimiter } from '../ratelimit/rate-limiter.js';

/** The most restrictive decision so far for each request, so several hooks (per IP, per client) report one set of headers. */
const reported = new WeakMap<FastifyRequest, RateLimitDecision>();

export interface RateLimitHookOptions {
  limiter: RateLimiter;
  /** Which rule of the limiter this hook counts against. */
  rule: string;
  /** The key to count under (an IP, a client id, a token id), or null to leave this request uncounted. */
  key: (req: FastifyRequest) => string | null;
  /** The error to throw when the limit is reached; the scope's error handler renders it in the API's format. */
  limited: () => Error;
}

/**
 * A Fastify hook (onRequest or preHandler) that counts the request and sets Auth0's headers: x-ratelimit-limit,
 * x-ratelimit-remaining, x-ratelimit-reset (UNIX seconds), and Retry-After when it refuses. Knows nothing about
 * OAuth: the caller chooses the key and the error, so the Management API can reuse it as is.
 */
export function rateLimitHook(options: RateLimitHookOptions) {
  return async function rateLimit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = options.key(req);
    if (key === null) return;
    const decision = mostRestrictive(reported.get(req), await options.limiter.consume(options.rule, key));
    if (!decision) return;
    reported.set(req, decision);
    reply.header('x-ratelimit-limit', String(decision.limit));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    reply.header('x-ratelimit-reset', String(decision.resetAt));
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      throw options.limited();
    }
  };
}
