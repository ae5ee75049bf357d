import type { FastifyInstance } from 'fastify';
import { serverMetadata } from '../oauth/server-metadata.js';
import type { Refreshd } from '../service/refreshd.js';

/**
 * JWKS and discovery (RFC 8414 / OpenID Connect Discovery, for the parts refreshd implements). With an issuer
 * path, the same routes answer under it and in RFC 8414's path form (see issuer-path.ts).
 */
export async function wellKnownPlugin(app: FastifyInstance, opts: { refreshd: Refreshd }): Promise<void> {
  const { refreshd } = opts;
  const metadata = serverMetadata(refreshd.issuer);

  app.get('/.well-known/jwks.json', async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return refreshd.keys.jwks();
  });
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(path, async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return metadata;
    });
  }
}
