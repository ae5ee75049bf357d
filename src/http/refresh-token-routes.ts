import type { ManagementDeps } from '../management/deps.js';
import * as refreshTokens from '../management/refresh-tokens.js';
import { accepted, callerOf, scoped, type ManagementApp } from './management-route-config.js';
import {
  Accepted,
  errorResponses,
  IdParams,
  ListRefreshTokensQuery,
  RefreshToken,
  RefreshTokensPage,
  RevokeRefreshTokensBody,
  UpdateRefreshTokenBody,
  UserParams,
  UserRefreshTokensPage,
  UserRefreshTokensQuery,
} from './schemas/management.js';
import { pickFields, refreshTokenToWire, selectFields } from './serializers/refresh-token.js';

const TAGS = ['refresh-tokens'];

/** The refresh-token routes of the Management API: each translates between the wire and one use case. */
export function registerRefreshTokenRoutes(app: ManagementApp, deps: ManagementDeps): void {

  app.get(
    '/refresh-tokens/:id',
    {
      config: scoped(['read:refresh_tokens']),
      schema: {
        operationId: 'get_refresh_token',
        summary: 'Get a refresh token',
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
        params: UserParams,
        response: { 202: { ...Accepted, description: 'Refresh token deletion request accepted.' }, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await refreshTokens.deleteUserRefreshTokens(deps, callerOf(req), req.params.user_id);
      return accepted(reply);
    },
  );
}
