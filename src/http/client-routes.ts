import * as clients from '../admin/clients.js';
import type { Actor, AdminDeps } from '../admin/deps.js';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { callerOf, scoped, type ManagementApp } from './management-route-config.js';
import { Client, ClientIdParams, ClientsPage, CreateClientBody, ListClientsQuery, UpdateClientBody } from './schemas/clients.js';
import { errorResponses } from './schemas/management.js';
import { appTypeOf, clientInputFromWire, clientToWire } from './serializers/client.js';

const TAGS = ['clients'];

/** The Management API caller as the configuration use cases record it. */
export function actorOf(req: FastifyRequest): Actor {
  return { ...callerOf(req), via: 'api' };
}

/** /api/v2/clients: Auth0's routes and scopes; the rules live in src/admin/clients.ts. */
export function registerClientRoutes(app: ManagementApp, deps: AdminDeps): void {
  app.get(
    '/clients',
    {
      config: scoped(['read:clients', 'read:client_keys']),
      schema: {
        operationId: 'get_clients',
        summary: 'Get clients',
        description: 'Offset paging as Auth0 (page, per_page, include_totals). Secrets are never listed: refreshd keeps only their digests.',
        tags: TAGS,
        querystring: ListClientsQuery,
        response: { 200: { ...ClientsPage, description: 'The clients were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const types = q.app_type === undefined ? null : new Set(q.app_type.split(',').map((t) => t.trim()));
      const page = await clients.listClients(deps, { page: q.page ?? 0, perPage: q.per_page ?? 50 }, (c) => {
        if (q.is_global === true || q.is_first_party === false) return false;
        return types === null || types.has(appTypeOf(c));
      });
      const items = page.items.map((c) => clientToWire(c));
      if (q.include_totals !== true) return items;
      return { start: page.start, limit: page.limit, length: items.length, total: page.total, clients: items };
    },
  );

  app.get(
    '/clients/:id',
    {
      config: scoped(['read:clients', 'read:client_keys']),
      schema: {
        operationId: 'get_client',
        summary: 'Get a client',
        tags: TAGS,
        params: ClientIdParams,
        response: { 200: { ...Client, description: 'The client was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => clientToWire(await clients.getClient(deps, req.params.id)),
  );

  app.post(
    '/clients',
    {
      config: scoped(['create:clients']),
      schema: {
        operationId: 'create_client',
        summary: 'Create a client',
        description: 'The answer holds client_secret, once: refreshd stores only its digest.',
        tags: TAGS,
        body: CreateClientBody,
        response: { 201: { ...Client, description: 'The client was created.' }, ...errorResponses(400, 413) },
      },
    },
    async (req, reply) => {
      const r = await clients.createClient(deps, actorOf(req), { ...clientInputFromWire(req.body), name: req.body.name, clientSecret: req.body.client_secret });
      reply.code(201);
      return clientToWire(r.client, r.clientSecret);
    },
  );

  app.patch(
    '/clients/:id',
    {
      config: scoped(['update:clients', 'update:client_keys']),
      schema: {
        operationId: 'update_client',
        summary: 'Update a client',
        tags: TAGS,
        params: ClientIdParams,
        body: UpdateClientBody,
        response: { 200: { ...Client, description: 'The client was updated.' }, ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (req) => clientToWire(await clients.updateClient(deps, actorOf(req), req.params.id, clientInputFromWire(req.body))),
  );

  app.delete(
    '/clients/:id',
    {
      config: scoped(['delete:clients']),
      schema: {
        operationId: 'delete_client',
        summary: 'Delete a client',
        description: 'Revokes every refresh token of the client, then deletes it and its grants.',
        tags: TAGS,
        params: ClientIdParams,
        response: { 204: Type.Null({ description: 'The client was deleted.' }), ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => {
      await clients.deleteClient(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/clients/:id/rotate-secret',
    {
      config: scoped(['update:client_keys']),
      schema: {
        operationId: 'rotate_client_secret',
        summary: 'Rotate a client secret',
        description:
          'The answer holds the new client_secret, once; the old secret stops working. refreshd extension: `revoke_tokens=true` also revokes the refresh tokens of the client and refuses the Management API access tokens it obtained before.',
        tags: TAGS,
        params: ClientIdParams,
        querystring: Type.Object({ revoke_tokens: Type.Optional(Type.Boolean({ description: 'Also revoke what the client already obtained (refreshd extension).' })) }),
        response: { 200: { ...Client, description: 'The secret was rotated.' }, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const r = await clients.rotateClientSecret(deps, actorOf(req), req.params.id, { revokeTokens: req.query.revoke_tokens === true });
      return clientToWire(r.client, r.clientSecret);
    },
  );
}
