import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Refreshd } from '../service/refreshd.js';
import { healthPlugin } from './health-plugin.js';
import { oauthPlugin } from './oauth-plugin.js';
import { RequestLog } from './request-log.js';
import { wellKnownPlugin } from './well-known-plugin.js';

export interface BuildAppOptions {
  refreshd: Refreshd;
  /** A pino instance, or pino options, or false for no logging (tests). */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  trustProxy?: boolean;
}

/** The HTTP server: thin plugins over the library, one per API surface. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { refreshd } = options;
  const logger = options.logger ?? false;
  const isInstance = typeof logger === 'object' && logger !== null && typeof (logger as { child?: unknown }).child === 'function';
  const app = Fastify({
    ...(isInstance ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] } : { logger: logger as FastifyServerOptions['logger'] }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    // Prototype-poisoning keys in JSON bodies are rejected (400) rather than silently stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    logController: new RequestLog(),
  }) as unknown as FastifyInstance;

  // Callback style, not async: an async hook costs a promise and a hook-runner round per response.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${req.url.split('?')[0]?.slice(0, 200)} not found` });
  });
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'unhandled error');
    reply.code(status).send({ statusCode: status, error: status === 500 ? 'Internal Server Error' : 'Bad Request', message: status === 500 ? 'Internal Server Error' : 'Bad Request' });
  });

  await app.register(oauthPlugin, { refreshd });
  await app.register(wellKnownPlugin, { refreshd });
  await app.register(healthPlugin, { store: refreshd.store });
  return app;
}
