import { Type } from '@sinclair/typebox';
import type { AdminDeps } from '../admin/deps.js';
import * as apis from '../admin/resource-servers.js';
import type { ResourceServer as Api } from '../core/types.js';
import { actorOf } from './client-routes.js';
import { scoped, type ManagementApp } from './management-route-config.js';
import { errorResponses } from './schemas/management.js';
import {
  CreateResourceServerBody,
  ListResourceServersQuery,
  ResourceServer,
  ResourceServerParams,
  ResourceServersPage,
  UpdateResourceServerBody,
} from './schemas/resource-servers.js';

const TAGS = ['resource-servers'];

export function resourceServerToWire(rs: Api) {
  return {
    id: apis.resourceServerId(rs.identifier),
    name: rs.name,
    identifier: rs.identifier,
    is_system: rs.isSystem,
    scopes: rs.scopes.map((value) => ({ value })),
    signing_alg: rs.signingAlg,
    allow_offline_access: rs.allowOfflineAccess,
    token_lifetime: rs.tokenLifetimeSeconds,
    token_lifetime_for_web: rs.tokenLifetimeSeconds,
    ...(rs.proofOfPossession
      ? { proof_of_possession: { mechanism: rs.proofOfPossession.mechanism, required: rs.proofOfPossession.required, required_for: rs.proofOfPossession.requiredFor } }
      : {}),
  };
}

type Body = {
  name?: string | undefined;
  scopes?: { value: string }[] | undefined;
  allow_offline_access?: boolean | undefined;
  token_lifetime?: number | undefined;
  signing_alg?: string | undefined;
  proof_of_possession?: { mechanism: 'dpop'; required: boolean; required_for?: 'public_clients' | 'all_clients' | undefined } | null | undefined;
};

function inputFromWire(b: Body): apis.ResourceServerInput {
  return {
    name: b.name,
    scopes: b.scopes?.map((s) => s.value),
    allowOfflineAccess: b.allow_offline_access,
    tokenLifetimeSeconds: b.token_lifetime,
    signingAlg: b.signing_alg as apis.ResourceServerInput['signingAlg'],
    proofOfPossession:
      b.proof_of_possession === undefined || b.proof_of_possession === null
        ? b.proof_of_possession
        : { mechanism: 'dpop', required: b.proof_of_possession.required, requiredFor: b.proof_of_possession.required_for ?? 'all_clients' },
  };
}

/** /api/v2/resource-servers: Auth0's routes and scopes; the rules live in src/admin/resource-servers.ts. */
export function registerResourceServerRoutes(app: ManagementApp, deps: AdminDeps): void {
  app.get(
    '/resource-servers',
    {
      config: scoped(['read:resource_servers']),
      schema: {
        operationId: 'get_resource_servers',
        summary: 'Get resource servers',
        description: 'Offset paging as Auth0 (page, per_page, include_totals); the built-in Management API is listed (is_system).',
        tags: TAGS,
        querystring: ListResourceServersQuery,
        response: { 200: { ...ResourceServersPage, description: 'The resource servers were retrieved.' }, ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const only = q.identifiers === undefined ? null : new Set(Array.isArray(q.identifiers) ? q.identifiers : [q.identifiers]);
      const page = await apis.listResourceServers(deps, { page: q.page ?? 0, perPage: q.per_page ?? 50 }, (rs) => only === null || only.has(rs.identifier));
      const items = page.items.map(resourceServerToWire);
      if (q.include_totals !== true) return items;
      return { start: page.start, limit: page.limit, length: items.length, total: page.total, resource_servers: items };
    },
  );

  app.get(
    '/resource-servers/:id',
    {
      config: scoped(['read:resource_servers']),
      schema: {
        operationId: 'get_resource_server',
        summary: 'Get a resource server by id or identifier',
        tags: TAGS,
        params: ResourceServerParams,
        response: { 200: { ...ResourceServer, description: 'The resource server was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => resourceServerToWire(await apis.getResourceServer(deps, req.params.id)),
  );

  app.post(
    '/resource-servers',
    {
      config: scoped(['create:resource_servers']),
      schema: {
        operationId: 'create_resource_server',
        summary: 'Create a resource server',
        tags: TAGS,
        body: CreateResourceServerBody,
        response: { 201: { ...ResourceServer, description: 'The resource server was created.' }, ...errorResponses(400, 409, 413) },
      },
    },
    async (req, reply) => {
      const rs = await apis.createResourceServer(deps, actorOf(req), { ...inputFromWire(req.body), identifier: req.body.identifier });
      reply.code(201);
      return resourceServerToWire(rs);
    },
  );

  app.patch(
    '/resource-servers/:id',
    {
      config: scoped(['update:resource_servers']),
      schema: {
        operationId: 'update_resource_server',
        summary: 'Update a resource server',
        tags: TAGS,
        params: ResourceServerParams,
        body: UpdateResourceServerBody,
        response: { 200: { ...ResourceServer, description: 'The resource server was updated.' }, ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (req) => resourceServerToWire(await apis.updateResourceServer(deps, actorOf(req), req.params.id, inputFromWire(req.body))),
  );

  app.delete(
    '/resource-servers/:id',
    {
      config: scoped(['delete:resource_servers']),
      schema: {
        operationId: 'delete_resource_server',
        summary: 'Delete a resource server',
        description: 'Deletes the API and its client grants; its refresh tokens can no longer be exchanged.',
        tags: TAGS,
        params: ResourceServerParams,
        response: { 204: Type.Null({ description: 'The resource server was deleted.' }), ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => {
      await apis.deleteResourceServer(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
