import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { TrustProxy } from '../config/env.js';
import type { Metrics } from '../ops/metrics.js';
import type { RateLimiter } from '../ratelimit/rate-limiter.js';
import type { Refreshd } from '../service/refreshd.js';
import { CONSOLE_PREFIX, consolePlugin } from './console-plugin.js';
import { metricsPlugin, type MetricsAccess } from './metrics-plugin.js';
import { healthPlugin } from './health-plugin.js';
import { issuerPathRewrite } from './issuer-path.js';
import { envelope } from './management-errors.js';
import { MANAGEMENT_PREFIX, managementPlugin } from './management-plugin.js';
import { oauthPlugin } from './oauth-plugin.js';
import { RequestLog } from './request-log.js';
import { wellKnownPlugin } from './well-known-plugin.js';

export interface BuildAppOptions {
  refreshd: Refreshd;
  /** A pino instance, or pino options, or false for no logging (tests). */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** Fastify's trustProxy, from REFRESHD_TRUST_PROXY (see TrustProxy). */
  trustProxy?: TrustProxy;
  /** Prometheus metrics; when given, requests are counted and /metrics is served (see metricsAccess). */
  metrics?: Metrics | null;
  /**
   * Who may read /metrics (a bearer token), and whether this server serves it at all (`separate`: another listener,
   * from buildMetricsApp, serves it instead).
   */
  metricsAccess?: MetricsAccess & { separate?: boolean };
  /** Limits for the OAuth endpoints (see config/env.ts for the defaults the server uses); none when absent. */
  rateLimiter?: RateLimiter | null;
  /** Serve the admin console at /admin (REFRESHD_CONSOLE, on in the server); off unless asked for. */
  console?: boolean;
}

/** The HTTP server: thin plugins over the library, one per API surface. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { refreshd } = options;
  const logger = options.logger ?? false;
  const isInstance = typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
  const rewriteUrl = issuerPathRewrite(refreshd.issuer);
  const app = Fastify({
    ...(rewriteUrl ? { rewriteUrl } : {}),
    ...(isInstance ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] } : { logger: logger as FastifyServerOptions['logger'] }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    // Prototype-poisoning keys in JSON bodies are rejected (400) rather than silently stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Management API user ids may be 300 characters, more once percent-encoded; the route schemas bound them.
    routerOptions: { maxParamLength: 2048 },
    // A path the router cannot decode (bad percent-encoding) or an over-long parameter: 400, in the Management
    // API's envelope under /api/v2, instead of Fastify's own body.
    frameworkErrors: (_err, req, reply: FastifyReply) => {
      if (req.url.startsWith(`${MANAGEMENT_PREFIX}/`)) {
        reply.code(400).send(envelope(400, 'invalid_uri', 'Invalid request URI: it cannot be decoded.'));
      } else {
        reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'Bad Request' });
      }
    },
    logController: new RequestLog(),
  }) as unknown as FastifyInstance;

  // Once shutdown has begun, every response closes its connection: a keep-alive socket left open by a client or
  // load balancer would otherwise hold the process until its idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Async on purpose: a callback-style hook answered a 404 before Node had read a streamed request body, and the
  // leftover body then drew a second (400) answer on the same socket (found by the real-HTTP fuzzing).
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) reply.header('connection', 'close');
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${req.url.split('?')[0]?.slice(0, 200)} not found` });
  });
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'unhandled error');
    const label = STATUS_CODES[status] ?? 'Error';
    reply.code(status).send({ statusCode: status, error: label, message: label });
  });

  if (options.metrics) {
    const access = options.metricsAccess ?? {};
    await app.register(metricsPlugin, { metrics: options.metrics, serve: access.separate !== true, access });
  }
  await app.register(oauthPlugin, { refreshd, rateLimiter: options.rateLimiter ?? null });
  await app.register(wellKnownPlugin, { refreshd });
  await app.register(managementPlugin, { refreshd, rateLimiter: options.rateLimiter ?? null, prefix: MANAGEMENT_PREFIX });
  await app.register(healthPlugin, { store: refreshd.store });
  if (options.console) await app.register(consolePlugin, { prefix: CONSOLE_PREFIX });
  return app;
}
