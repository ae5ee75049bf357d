import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ManagementError } from '../core/errors.js';
import { CheckpointCodec } from '../management/checkpoint.js';
import type { ManagementDeps } from '../management/deps.js';
import { ManagementAuth, requireScopes, type ManagementPrincipal } from '../management/management-auth.js';
import type { Refreshd } from '../service/refreshd.js';
import { envelope, managementErrorHandler } from './management-errors.js';
import type { ManagementRouteConfig } from './management-route-config.js';
import { managementValidatorCompiler } from './management-validator.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { buildOpenApi, documentedRoute, type DocumentedRoute } from './openapi.js';
import { countRequest } from './rate-limit-hook.js';
import { ipKey } from '../ratelimit/ip-key.js';
import type { RateLimiter } from '../ratelimit/rate-limiter.js';
import { registerLogRoutes } from './log-routes.js';
import { registerRefreshTokenRoutes } from './refresh-token-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerClientRoutes } from './client-routes.js';
import { registerClientGrantRoutes } from './client-grant-routes.js';
import { registerResourceServerRoutes } from './resource-server-routes.js';

export const MANAGEMENT_PREFIX = '/api/v2';

/**
 * Per bearer token (counted under its SHA-256, after it verified), and per IP for every request whose token is
 * not already verified (missing, malformed, forged or new), counted before the signature check so a flood of
 * forged tokens cannot buy signature work.
 */
export const MANAGEMENT_RATE_LIMIT_RULES = { perToken: 'mgmt_token', perIp: 'mgmt_ip' } as const;

const tooManyRequests = () =>
  new ManagementError(429, 'too_many_requests', 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.');

export interface ManagementPluginOptions {
  refreshd: Refreshd;
  /** Per-token and per-IP limits (MANAGEMENT_RATE_LIMIT_RULES); none when absent. */
  rateLimiter?: RateLimiter | null;
}

/**
 * Auth0's Management API v2 for refresh tokens and sessions. Encapsulated: its validator, bearer-token hook,
 * error envelope and not-found answer apply only under /api/v2. Handlers only translate; the rules live in
 * src/management.
 */
export async function managementPlugin(root: FastifyInstance, opts: ManagementPluginOptions): Promise<void> {
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
    // A deleted client's tokens, and a client's tokens from before a rotate-secret that revoked them, are refused.
    clientCutOff: async (clientId) => {
      const client = await refreshd.directory.client(clientId);
      return client ? (client.tokensValidAfter ?? null) : undefined;
    },
  });

  app.setValidatorCompiler(managementValidatorCompiler);
  app.setErrorHandler(managementErrorHandler);
  // JSON only: a text/plain body is refused (400 invalid_body) rather than handed to a handler as a string.
  app.removeContentTypeParser('text/plain');
  // Under the app's 1 MB limit, as before.
  registerJsonBodyParser(app, undefined, (problem) =>
    problem.kind === 'duplicate_key'
      ? new ManagementError(400, 'invalid_body', `Invalid request body: the key "${problem.key}" appears more than once in one object.`)
      : new ManagementError(400, 'invalid_body', 'Invalid request body: text must be well-formed Unicode (UTF-8, no lone surrogate escapes such as \\ud800).'),
  );
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
  const limiter = opts.rateLimiter ?? null;
  const perIp = limiter?.has(MANAGEMENT_RATE_LIMIT_RULES.perIp)
    ? (req: FastifyRequest, reply: FastifyReply) => countRequest(limiter, MANAGEMENT_RATE_LIMIT_RULES.perIp, ipKey(req.ip ?? 'unknown'), req, reply, tooManyRequests)
    : null;
  const perToken = limiter?.has(MANAGEMENT_RATE_LIMIT_RULES.perToken)
    ? (req: FastifyRequest, reply: FastifyReply, p: ManagementPrincipal) => countRequest(limiter, MANAGEMENT_RATE_LIMIT_RULES.perToken, p.tokenKey, req, reply, tooManyRequests)
    : null;

  // Callback style, so that a cached token (nearly every request) is admitted without a promise round trip when
  // no limit is on. Counting comes before the scope check: a refused request still counts, as at Auth0.
  app.addHook('onRequest', (req, reply, done) => {
    const config = req.routeOptions.config as ManagementRouteConfig;
    if (req.is404 || config.public) return done();
    let resolved: ManagementPrincipal | Promise<ManagementPrincipal>;
    try {
      resolved = auth.resolve(req.headers.authorization, perIp ? () => perIp(req, reply) : undefined);
    } catch (err) {
      // A missing or malformed header: refused at once, but still counted against the address.
      if (!perIp) return done(err as Error);
      perIp(req, reply).then(() => done(err as Error), done);
      return;
    }
    if (!(resolved instanceof Promise)) {
      if (!perToken) {
        try {
          admit(req, config, resolved);
        } catch (err) {
          return done(err as Error);
        }
        return done();
      }
      resolved = Promise.resolve(resolved);
    }
    resolved
      .then(async (principal) => {
        if (perToken) await perToken(req, reply, principal);
        admit(req, config, principal);
      })
      .then(() => done(), done);
  });

  registerRefreshTokenRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerLogRoutes(app, deps);
  // A client deleted or its secret rotated: tokens verified before are checked again at their next use.
  const admin = refreshd.adminDeps(() => auth.clear());
  registerClientRoutes(app, admin);
  registerResourceServerRoutes(app, admin);
  registerClientGrantRoutes(app, admin);

  // ——— the contract itself ———

  let openapi: string | null = null;
  app.get('/openapi.json', { config: { public: true } }, async (_req, reply) => {
    openapi ??= JSON.stringify(buildOpenApi(documented, { issuer: refreshd.issuer, prefix: MANAGEMENT_PREFIX, version: '2.0' }));
    reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300');
    return openapi;
  });
}
