import type { ManagementDeps } from '../management/deps.js';
import * as sessions from '../management/sessions.js';
import { accepted, callerOf, scoped, type ManagementApp } from './management-route-config.js';
import {
  Accepted,
  errorResponses,
  IdParams,
  RevokeAccessBody,
  Session,
  UpdateSessionBody,
  UserParams,
  UserSessionsPage,
  UserSessionsQuery,
} from './schemas/management.js';
import { sessionToWire } from './serializers/session.js';

const TAGS = ['sessions'];

/** The session routes of the Management API, revoke-access included. */
export function registerSessionRoutes(app: ManagementApp, deps: ManagementDeps): void {

  app.get(
    '/sessions/:id',
    {
      config: scoped(['read:sessions']),
      schema: {
        operationId: 'get_session',
        summary: 'Get a session',
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
      // It revokes refresh tokens too, so it needs both delete scopes, as in Auth0's published OpenAPI.
      config: scoped(['delete:sessions', 'delete:refresh_tokens'], 'all'),
      schema: {
        operationId: 'revoke_session',
        summary: 'Revoke a session',
        description: 'Revokes the session and every refresh token issued in it.',
        tags: TAGS,
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
        tags: TAGS,
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
        tags: TAGS,
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
}
