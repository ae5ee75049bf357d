import type { RouteOptions } from 'fastify';
import { MANAGEMENT_SCOPES } from '../core/types.js';

/** What the generator needs from a registered route; collected by an onRoute hook, so no route can be missed. */
export interface DocumentedRoute {
  method: string;
  /** The full path, e.g. /api/v2/refresh-tokens/:id */
  url: string;
  schema: Record<string, unknown>;
  scopes: readonly string[];
  scopeMode: 'any' | 'all';
  bodyRequired: boolean;
}

export function documentedRoute(route: RouteOptions, scopes: readonly string[], scopeMode: 'any' | 'all', bodyRequired: boolean): DocumentedRoute | null {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const method = methods.find((m) => m !== 'HEAD');
  if (!method || !route.schema) return null;
  return { method: method.toLowerCase(), url: route.url, schema: route.schema as Record<string, unknown>, scopes, scopeMode, bodyRequired };
}

/** TypeBox schemas carry symbol keys; JSON round-tripping leaves the plain JSON Schema (2020-12, as OpenAPI 3.1 uses). */
const plain = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

function parameters(schema: unknown, location: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const s = plain(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: location,
      required: location === 'path' || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * An OpenAPI 3.1 document of the Management API built from the routes' own TypeBox schemas: the same objects
 * that validate requests and serialize responses, so the document cannot drift from the behaviour.
 */
export function buildOpenApi(routes: readonly DocumentedRoute[], options: { issuer: string; prefix: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const relative = r.url.startsWith(options.prefix) ? r.url.slice(options.prefix.length) : r.url;
    const path = relative.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const { summary, description, operationId, tags, params, querystring, body, response } = r.schema as Record<string, unknown>;
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries((response ?? {}) as Record<string, unknown>)) {
      const s = plain(schema);
      responses[status] = { description: (s.description as string | undefined) ?? 'Success', content: { 'application/json': { schema: s } } };
    }
    const operation: Record<string, unknown> = {
      operationId,
      summary,
      ...(description ? { description } : {}),
      ...(tags ? { tags } : {}),
      parameters: [...parameters(params, 'path'), ...parameters(querystring, 'query')],
      ...(body ? { requestBody: { required: r.bodyRequired, content: { 'application/json': { schema: plain(body) } } } } : {}),
      responses,
      ...(r.scopes.length > 0
        ? {
            security: [{ bearerAuth: [] }, { oAuth2ClientCredentials: [...r.scopes] }],
            'x-required-scopes': { mode: r.scopeMode, scopes: [...r.scopes] },
          }
        : { security: [] }),
    };
    (paths[path] ??= {})[r.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'refreshd Management API',
      version: options.version,
      description: "Auth0-compatible Management API v2 for refresh tokens and sessions. Errors use Auth0's envelope {statusCode, error, message, errorCode}.",
    },
    servers: [{ url: new URL(options.prefix.replace(/^\//, ''), options.issuer).href }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token refreshd issued for the Management API audience.' },
        oAuth2ClientCredentials: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: new URL('oauth/token', options.issuer).href,
              scopes: Object.fromEntries(MANAGEMENT_SCOPES.map((s) => [s, s.replace(':', ' ').replace('_', ' ')])),
            },
          },
        },
      },
    },
  };
}
