import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../ops/metrics.js';

/** Who may read /metrics: anyone who can reach it, or only callers presenting this bearer token. */
export interface MetricsAccess {
  /** Required as `Authorization: Bearer <token>` when set. */
  token?: string | null;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** GET /metrics as a route handler; with a token, 401 unless the caller presents it (compared in constant time). */
function metricsHandler(metrics: Metrics, access: MetricsAccess) {
  const expected = access.token ? digest(access.token) : null;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (expected) {
      const m = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ statusCode: 401, error: 'Unauthorized', message: 'A bearer token is required for /metrics.' });
      }
    }
    reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store');
    return metrics.registry.metrics();
  };
}

/**
 * Counts every request by route template (never the raw URL: ids would explode cardinality) and, unless metrics
 * are served on an address of their own, serves GET /metrics. Registered with fastify-plugin so its hook sees the
 * routes of every sibling plugin.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { metrics: Metrics; serve: boolean; access: MetricsAccess }) => {
    const { metrics } = opts;
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
    });
    if (opts.serve) app.get('/metrics', metricsHandler(metrics, opts.access));
  },
  { name: 'refreshd-metrics' },
);

/** A server of its own for /metrics (REFRESHD_METRICS_ADDRESS), so the scrape endpoint never shares the public port. */
export async function buildMetricsApp(metrics: Metrics, access: MetricsAccess): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/metrics', metricsHandler(metrics, access));
  return app;
}
