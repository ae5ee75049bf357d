import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Caller } from '../management/deps.js';

/** The Management API's Fastify scope, typed by its TypeBox route schemas. */
export type ManagementApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Per-route settings read by the auth hook and the OpenAPI generator; a route is public only when it says so. */
export interface ManagementRouteConfig {
  scopes?: readonly string[];
  scopeMode?: 'any' | 'all';
  public?: boolean;
  /** Every body field is optional, so no body at all means {} (documented as an optional requestBody). */
  bodyOptional?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified Management API caller; set by the auth hook before any handler runs. */
    managementCaller: Caller | null;
  }
}

/** The scopes a route requires: any one of them, or all of them. */
export const scoped = (scopes: readonly string[], scopeMode: 'any' | 'all' = 'any'): ManagementRouteConfig => ({ scopes, scopeMode });

export function callerOf(req: FastifyRequest): Caller {
  if (!req.managementCaller) throw new Error('management route reached without authentication');
  return req.managementCaller;
}

/** 202 with `{}`, the body Auth0 sends for accepted deletions (the SDK accepts it, or an empty body). */
export function accepted(reply: FastifyReply): Record<string, never> {
  reply.code(202);
  return {};
}
