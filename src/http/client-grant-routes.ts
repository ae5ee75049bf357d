import { Type } from '@sinclair/typebox';
import * as grants from '../admin/client-grants.js';
import type { AdminDeps } from '../admin/deps.js';
import type { ClientGrant as Grant } from '../core/types.js';
import { actorOf } from './client-routes.js';
import { scoped, type ManagementApp } from './management-route-config.js';
import { errorResponses } from './schemas/management.js';
import { ClientGrant, ClientGrantParams, ClientGrantsPage, CreateClientGrantBody, ListClientGrantsQuery, UpdateClientGrantBody } from './schemas/resource-servers.js';

const TAGS = ['client-grants'];

export const clientGrantToWire = (g: Grant) => ({ id: g.id, client_id: g.clientId, audience: g.audience, scope: g.scope, subject_type: g.subjectType });

/** /api/v2/client-grants: Auth0's routes and scopes; the rules live in src/admin/client-grants.ts. */
export function registerClientGrantRoutes(app: ManagementApp, deps: AdminDeps): void {
  app.get(
    '/client-grants',
    {
      config: scoped(['read:client_grants']),
      schema: {
        operationId: 'get_client_grants',
        summary: 'Get client grants',
        description:
          'Filters audience, client_id, subject_type. Checkpoint paging (from/take, answering {client_grants, next}) as the SDK uses it, or offset paging with page/per_page (include_totals wraps it).',
        tags: TAGS,
        querystring: ListClientGrantsQuery,
        response: { 200: { ...ClientGrantsPage, description: 'The client grants were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const all = (await grants.listClientGrants(deps, { clientId: q.client_id, audience: q.audience, subjectType: q.subject_type })).map(clientGrantToWire);
      if (q.page !== undefined || q.per_page !== undefined) {
        const perPage = q.per_page ?? 50;
        const start = (q.page ?? 0) * perPage;
        const items = all.slice(start, start + perPage);
        return q.include_totals === true ? { start, limit: perPage, total: all.length, client_grants: items } : items;
      }
      const take = q.take ?? 50;
      const after = q.from === undefined ? all : all.filter((g) => g.id > q.from!);
      const items = after.slice(0, take);
      return { client_grants: items, ...(after.length > take ? { next: items.at(-1)!.id } : {}) };
    },
  );

  app.get(
    '/client-grants/:id',
    {
      config: scoped(['read:client_grants']),
      schema: {
        operationId: 'get_client_grant',
        summary: 'Get a client grant',
        tags: TAGS,
        params: ClientGrantParams,
        response: { 200: { ...ClientGrant, description: 'The client grant was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => clientGrantToWire(await grants.getClientGrant(deps, req.params.id)),
  );

  app.post(
    '/client-grants',
    {
      config: scoped(['create:client_grants']),
      schema: {
        operationId: 'create_client_grant',
        summary: 'Create a client grant',
        tags: TAGS,
        body: CreateClientGrantBody,
        response: { 201: { ...ClientGrant, description: 'The client grant was created.' }, ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const g = await grants.createClientGrant(deps, actorOf(req), { clientId: b.client_id, audience: b.audience, scope: b.scope, subjectType: b.subject_type });
      reply.code(201);
      return clientGrantToWire(g);
    },
  );

  app.patch(
    '/client-grants/:id',
    {
      config: scoped(['update:client_grants']),
      schema: {
        operationId: 'update_client_grant',
        summary: 'Update a client grant',
        description: 'Replaces scope; other fields are accepted and ignored.',
        tags: TAGS,
        params: ClientGrantParams,
        body: UpdateClientGrantBody,
        response: { 200: { ...ClientGrant, description: 'The client grant was updated.' }, ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (req) => {
      const existing = await grants.getClientGrant(deps, req.params.id);
      return clientGrantToWire(await grants.updateClientGrant(deps, actorOf(req), req.params.id, req.body.scope ?? existing.scope));
    },
  );

  app.delete(
    '/client-grants/:id',
    {
      config: scoped(['delete:client_grants']),
      schema: {
        operationId: 'delete_client_grant',
        summary: 'Delete a client grant',
        tags: TAGS,
        params: ClientGrantParams,
        response: { 204: Type.Null({ description: 'The client grant was deleted.' }), ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => {
      await grants.deleteClientGrant(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
