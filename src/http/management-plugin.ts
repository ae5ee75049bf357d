import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CheckpointCodec } from '../management/checkpoint.js';
import type { Caller, ManagementDeps } from '../management/deps.js';
import { ManagementAuth, requireScopes, type ManagementPrincipal } from '../management/management-auth.js';
import * as refreshTokens from '../management/refresh-tokens.js';
import * as sessions from '../management/sessions.js';
import type { Refreshd } from '../service/refreshd.js';
import { envelope, managementErrorHandler } from './management-errors.js';
import { managementValidatorCompiler } from './management-validator.js';
import { buildOpenApi, documentedRoute, type DocumentedRoute } from './openapi.js';
import {
  Accepted,
  errorResponses,
  IdParams,
  ListRefreshTokensQuery,
  RefreshToken,
  RefreshTokensPage,
  RevokeAccessBody,
  RevokeRefreshTokensBody,
  Session,
  UpdateRefreshTokenBody,
  UpdateSessionBody,
  UserParams,
  UserRefreshTokensPage,
  UserRefreshTokensQuery,
  UserSessionsPage,
  UserSessionsQuery,
} from './schemas/management.js';
import { pickFields, refreshTokenToWire, selectFields } from './serializers/refresh-token.js';
import { sessionToWire } from './serializers/session.js';

export const MANAGEMENT_PREFIX = '/api/v2';

/** Per-route settings read by the auth hook; a route is public only when it says so. */
interface ManagementRouteConfig {
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

function callerOf(req: FastifyRequest): Caller {
  if (!req.managementCaller) throw new Error('management route reached without authentication');
  return req.managementCaller;
}

const scoped = (scopes: readonly string[], scopeMode: 'any' | 'all' = 'any') => ({ scopes, scopeMode });

function accepted(reply: FastifyReply): Record<string, never> {
  reply.code(202);
  return {};
}

/**
 * Auth0's Management API v2 for refresh tokens and sessions. Encapsulated: its validator, bearer-token hook,
 * error envelope and not-found answer apply only under /api/v2. Handlers only translate; the rules live in
 * src/management.
 */
export async function managementPlugin(root: FastifyInstance, opts: { refreshd: Refreshd }): Promise<void> {
  const { refreshd } = opts;
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const clock = refreshd.clock;
  const cursorKey = await refreshd.store.getOrCreateSecret('cursor_mac', () => randomBytes(32), clock.now());
  const deps: ManagementDeps = {
    store: refreshd.store,
    clock,
    events: refreshd.deps.events,
    checkpoints: new CheckpointCodec(cursorKey, clock),
  };
  const auth = new ManagementAuth({
    verificationKey: (header) => refreshd.keys.verificationKey(header),
    clock,
    issuer: refreshd.issuer,
    audience: refreshd.managementAudience,
  });

  app.setValidatorCompiler(managementValidatorCompiler);
  app.setErrorHandler(managementErrorHandler);
  // JSON only: a text/plain body is refused (400 invalid_body) rather than handed to a handler as a string.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send(envelope(404, 'not_found', 'Not Found'));
  });

  const documented: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as ManagementRouteConfig;
    const doc = config.public ? null : documentedRoute(route, config.scopes ?? [], config.scopeMode ?? 'any', config.bodyOptional !== true);
    if (doc) documented.push(doc);
  });

  app.decorateRequest('managementCaller', null);
  const admit = (req: FastifyRequest, config: ManagementRouteConfig, principal: ManagementPrincipal): void => {
    // Routes without scopes would be open to any token: refuse rather than guess.
    if (!config.scopes || config.scopes.length === 0) throw new Error(`route ${req.routeOptions.url} declares no scopes`);
    requireScopes(principal, config.scopes, config.scopeMode ?? 'any');
    req.managementCaller = { clientId: principal.clientId, ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
  };
  // Callback style, so that a cached token (nearly every request) is admitted without a promise round trip.
  app.addHook('onRequest', (req, _reply, done) => {
    const config = req.routeOptions.config as ManagementRouteConfig;
    if (req.is404 || config.public) return done();
    let resolved: ManagementPrincipal | Promise<ManagementPrincipal>;
    try {
      resolved = auth.resolve(req.headers.authorization);
      if (!(resolved instanceof Promise)) {
        admit(req, config, resolved);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    resolved.then((principal) => admit(req, config, principal)).then(() => done(), (err: Error) => done(err));
  });

  const tokenTags = ['refresh-tokens'];
  const sessionTags = ['sessions'];

  // ——— refresh tokens ———

  app.get(
    '/refresh-tokens/:id',
    {
      config: scoped(['read:refresh_tokens']),
      schema: {
        operationId: 'get_refresh_token',
        summary: 'Get a refresh token',
        tags: tokenTags,
        params: IdParams('ID of the refresh token'),
        response: { 200: { ...RefreshToken, description: 'The refresh token was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => refreshTokenToWire(await refreshTokens.getRefreshToken(deps, req.params.id)),
  );

  app.patch(
    '/refresh-tokens/:id',
    {
      config: scoped(['update:refresh_tokens']),
      schema: {
        operationId: 'patch_refresh_token',
        summary: 'Update a refresh token',
        description: 'Replaces refresh_token_metadata, the only writable field; null or {} removes it.',
        tags: tokenTags,
        params: IdParams('ID of the refresh token'),
        body: UpdateRefreshTokenBody,
        response: { 200: { ...RefreshToken, description: 'The refresh token was updated.' }, ...errorResponses(400, 404, 413) },
      },
    },
    async (req) => refreshTokenToWire(await refreshTokens.updateRefreshToken(deps, callerOf(req), req.params.id, req.body.refresh_token_metadata)),
  );

  app.delete(
    '/refresh-tokens/:id',
    {
      config: scoped(['delete:refresh_tokens']),
      schema: {
        operationId: 'delete_refresh_token',
        summary: 'Delete a refresh token',
        description: 'Revokes the refresh token at once. An unknown id is accepted too (202): the call is idempotent.',
        tags: tokenTags,
        params: IdParams('ID of the refresh token'),
        response: { 202: { ...Accepted, description: 'Refresh token deletion request accepted.' }, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await refreshTokens.deleteRefreshToken(deps, callerOf(req), req.params.id);
      return accepted(reply);
    },
  );

  app.get(
    '/refresh-tokens',
    {
      config: scoped(['read:refresh_tokens']),
      schema: {
        operationId: 'get_refresh_tokens',
        summary: 'Get refresh tokens',
        description: "A user's refresh tokens, optionally of one client, in creation order, with checkpoint pagination.",
        tags: tokenTags,
        querystring: ListRefreshTokensQuery,
        response: { 200: { ...RefreshTokensPage, description: 'The refresh tokens were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const fields = selectFields(q.fields, q.include_fields);
      const page = await refreshTokens.listRefreshTokens(deps, { userId: q.user_id, clientId: q.client_id, from: q.from, take: q.take });
      const body: { refresh_tokens: ReturnType<typeof pickFields>[]; next?: string } = {
        refresh_tokens: page.items.map((f) => pickFields(refreshTokenToWire(f), fields)),
      };
      if (page.next) body.next = page.next;
      return body;
    },
  );

  app.post(
    '/refresh-tokens/revoke',
    {
      config: scoped(['delete:refresh_tokens']),
      schema: {
        operationId: 'revoke_refresh_tokens',
        summary: 'Revoke refresh tokens',
        description: 'Revokes by ids (up to 100), by user, by user and client, or by user, client and audience. Unknown ids are ignored.',
        tags: tokenTags,
        body: RevokeRefreshTokensBody,
        response: { 202: { ...Accepted, description: 'Refresh token revocation request accepted.' }, ...errorResponses(400, 413) },
      },
    },
    async (req, reply) => {
      await refreshTokens.revokeRefreshTokens(deps, callerOf(req), req.body);
      return accepted(reply);
    },
  );

  app.get(
    '/users/:user_id/refresh-tokens',
    {
      config: scoped(['read:refresh_tokens']),
      schema: {
        operationId: 'get_refresh_tokens_for_user',
        summary: 'Get refresh tokens for a user',
        tags: tokenTags,
        params: UserParams,
        querystring: UserRefreshTokensQuery,
        response: { 200: { ...UserRefreshTokensPage, description: 'The refresh tokens were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await refreshTokens.listUserRefreshTokens(deps, { userId: req.params.user_id, from: q.from, take: q.take, includeTotals: q.include_totals });
      return {
        tokens: page.items.map(refreshTokenToWire),
        ...(page.next ? { next: page.next } : {}),
        ...(page.total !== undefined ? { total: page.total } : {}),
      };
    },
  );

  app.delete(
    '/users/:user_id/refresh-tokens',
    {
      config: scoped(['delete:refresh_tokens']),
      schema: {
        operationId: 'delete_refresh_tokens_for_user',
        summary: 'Delete refresh tokens for a user',
        tags: tokenTags,
        params: UserParams,
        response: { 202: { ...Accepted, description: 'Refresh token deletion request accepted.' }, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await refreshTokens.deleteUserRefreshTokens(deps, callerOf(req), req.params.user_id);
      return accepted(reply);
    },
  );

  // ——— sessions ———

  app.get(
    '/sessions/:id',
    {
      config: scoped(['read:sessions']),
      schema: {
        operationId: 'get_session',
        summary: 'Get a session',
        tags: sessionTags,
        params: IdParams('ID of the session'),
        response: { 200: { ...Session, description: 'The session was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => sessionToWire(await sessions.getSession(deps, req.params.id)),
  );

  app.patch(
    '/sessions/:id',
    {
      config: scoped(['update:sessions']),
      schema: {
        operationId: 'update_session',
        summary: 'Update a session',
        description: 'Replaces session_metadata; null or {} removes it.',
        tags: sessionTags,
        params: IdParams('ID of the session'),
        body: UpdateSessionBody,
        response: { 200: { ...Session, description: 'The session was updated.' }, ...errorResponses(400, 404, 413) },
      },
    },
    async (req) => sessionToWire(await sessions.updateSession(deps, callerOf(req), req.params.id, req.body.session_metadata)),
  );

  app.delete(
    '/sessions/:id',
    {
      config: scoped(['delete:sessions']),
      schema: {
        operationId: 'delete_session',
        summary: 'Delete a session',
        description: 'Deletes the session; its refresh tokens stay usable. An unknown id is accepted too (202).',
        tags: sessionTags,
        params: IdParams('ID of the session'),
        response: { 202: { ...Accepted, description: 'Session deletion request accepted.' }, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await sessions.deleteSession(deps, callerOf(req), req.params.id);
      return accepted(reply);
    },
  );

  app.post(
    '/sessions/:id/revoke',
    {
      config: scoped(['delete:sessions']),
      schema: {
        operationId: 'revoke_session',
        summary: 'Revoke a session',
        description: 'Revokes the session and every refresh token issued in it.',
        tags: sessionTags,
        params: IdParams('ID of the session'),
        response: { 202: { ...Accepted, description: 'Session deletion request accepted.' }, ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      await sessions.revokeSession(deps, callerOf(req), req.params.id);
      return accepted(reply);
    },
  );

  app.get(
    '/users/:user_id/sessions',
    {
      config: scoped(['read:sessions']),
      schema: {
        operationId: 'get_sessions_for_user',
        summary: 'Get sessions for a user',
        tags: sessionTags,
        params: UserParams,
        querystring: UserSessionsQuery,
        response: { 200: { ...UserSessionsPage, description: 'The sessions were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await sessions.listUserSessions(deps, { userId: req.params.user_id, from: q.from, take: q.take, includeTotals: q.include_totals });
      return {
        sessions: page.items.map(sessionToWire),
        ...(page.next ? { next: page.next } : {}),
        ...(page.total !== undefined ? { total: page.total } : {}),
      };
    },
  );

  app.delete(
    '/users/:user_id/sessions',
    {
      config: scoped(['delete:sessions']),
      schema: {
        operationId: 'delete_sessions_for_user',
        summary: 'Delete sessions for a user',
        description: "Deletes every session of the user; their refresh tokens stay usable (use revoke-access to end both).",
        tags: sessionTags,
        params: UserParams,
        response: { 202: { ...Accepted, description: 'Session deletion request accepted.' }, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await sessions.deleteUserSessions(deps, callerOf(req), req.params.user_id);
      return accepted(reply);
    },
  );

  app.post(
    '/users/:user_id/revoke-access',
    {
      config: { ...scoped(['delete:sessions', 'delete:refresh_tokens'], 'all'), bodyOptional: true },
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) (req as { body: unknown }).body = {};
      },
      schema: {
        operationId: 'revoke_user_access',
        summary: 'Revoke access for a user',
        description:
          'Deletes one session (session_id) or every session of the user, and revokes the refresh tokens issued in them unless preserve_refresh_tokens is true.',
        tags: ['users'],
        params: UserParams,
        body: RevokeAccessBody,
        response: { 202: { ...Accepted, description: 'Session deletion request accepted.' }, ...errorResponses(400, 413) },
      },
    },
    async (req, reply) => {
      await sessions.revokeUserAccess(deps, callerOf(req), req.params.user_id, {
        sessionId: req.body.session_id,
        preserveRefreshTokens: req.body.preserve_refresh_tokens,
      });
      return accepted(reply);
    },
  );

  // ——— the contract itself ———

  let openapi: string | null = null;
  app.get('/openapi.json', { config: { public: true } }, async (_req, reply) => {
    openapi ??= JSON.stringify(buildOpenApi(documented, { issuer: refreshd.issuer, prefix: MANAGEMENT_PREFIX, version: '2.0' }));
    reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300');
    return openapi;
  });
}
