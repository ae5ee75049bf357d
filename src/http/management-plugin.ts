import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CheckpointCodec } from '../management/checkpoint.js';
import type { ManagementDeps } from '../management/deps.js';
import { ManagementAuth, requireScopes, type ManagementPrincipal } from '../management/management-auth.js';
import type { Refreshd } from '../service/refreshd.js';
import { envelope, managementErrorHandler } from './management-errors.js';
import type { ManagementRouteConfig } from './management-route-config.js';
import { managementValidatorCompiler } from './management-validator.js';
import { buildOpenApi, documentedRoute, type DocumentedRoute } from './openapi.js';
import { registerLogRoutes } from './log-routes.js';
import { registerRefreshTokenRoutes } from './refresh-token-routes.js';
import { registerSessionRoutes } from './session-routes.js';

export const MANAGEMENT_PREFIX = '/api/v2';

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

  registerRefreshTokenRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerLogRoutes(app, deps);

  // ——— the contract itself ———

  let openapi: string | null = null;
  app.get('/openapi.json', { config: { public: true } }, async (_req, reply) => {
    openapi ??= JSON.stringify(buildOpenApi(documented, { issuer: refreshd.issuer, prefix: MANAGEMENT_PREFIX, version: '2.0' }));
    reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300');
    return openapi;
  });
}
