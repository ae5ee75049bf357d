import type { FastifyReply, FastifyRequest } from 'fastify';
import { mostRestrictive, type RateLimitDecision, type RateLimiter } from '../ratelimit/rate-limiter.js';

/** The most restrictive decision so far for each request, so several counts (per IP, per client) report one set of headers. */
const reported = new WeakMap<FastifyRequest, RateLimitDecision>();

/**
 * Counts one request against `rule` for `key` and sets Auth0's headers: x-ratelimit-limit, x-ratelimit-remaining,
 * x-ratelimit-reset (UNIX seconds), and Retry-After when it refuses, in which case it throws `limited()` for the
 * scope's error handler to render in the API's format. Knows nothing about OAuth or the Management API.
 */
export async function countRequest(
  limiter: RateLimiter,
  rule: string,
  key: string,
  req: FastifyRequest,
  reply: FastifyReply,
  limited: () => Error,
): Promise<void> {
  report(await limiter.consume(rule, key), req, reply, limited);
}

/**
 * Refuses the request, as countRequest would, if `key` has already spent its points under `rule`; counts nothing.
 * For limits charged after the fact (failed authentications) that must also stop the next attempt.
 */
export async function checkRequest(
  limiter: RateLimiter,
  rule: string,
  key: string,
  req: FastifyRequest,
  reply: FastifyReply,
  limited: () => Error,
): Promise<void> {
  const decision = await limiter.peek(rule, key);
  if (decision && !decision.allowed) report(decision, req, reply, limited);
}

function report(latest: RateLimitDecision | null, req: FastifyRequest, reply: FastifyReply, limited: () => Error): void {
  const decision = mostRestrictive(reported.get(req), latest);
  if (!decision) return;
  reported.set(req, decision);
  reply.header('x-ratelimit-limit', String(decision.limit));
  reply.header('x-ratelimit-remaining', String(decision.remaining));
  reply.header('x-ratelimit-reset', String(decision.resetAt));
  if (!decision.allowed) {
    reply.header('retry-after', String(decision.retryAfterSeconds));
    throw limited();
  }
}

export interface RateLimitHookOptions {
  limiter: RateLimiter;
  /** Which rule of the limiter this hook counts against. */
  rule: string;
  /** The key to count under (an IP, a client id), or null to leave this request uncounted. */
  key: (req: FastifyRequest) => string | null;
  /** The error to throw when the limit is reached. */
  limited: () => Error;
}

/** A Fastify hook (onRequest or preHandler) that counts each request with `countRequest`. */
export function rateLimitHook(options: RateLimitHookOptions) {
  return async function rateLimit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = options.key(req);
    if (key === null) return;
    await countRequest(options.limiter, options.rule, key, req, reply, options.limited);
  };
}
