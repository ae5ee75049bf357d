import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../ops/metrics.js';

/**
 * Counts every request by route template (never the raw URL: ids would explode cardinality) and serves
 * GET /metrics. Registered with fastify-plugin so its hook sees the routes of every sibling plugin.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: { metrics: Metrics }) => {
    const { metrics } = opts;
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'refreshd-metrics' },
);
