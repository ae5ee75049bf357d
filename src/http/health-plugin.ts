import type { FastifyInstance } from 'fastify';
import type { Store } from '../ports/store.js';

/** Liveness (the process answers) and readiness (the store answers) for orchestrators and load balancers. */
export async function healthPlugin(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    try {
      await opts.store.ping();
      return { status: 'ok' };
    } catch {
      reply.code(503);
      return { status: 'unavailable' };
    }
  });
}
