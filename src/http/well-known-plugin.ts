import type { FastifyInstance } from 'fastify';
import { TOKEN_EXCHANGE_GRANT } from '../core/types.js';
import type { Refreshd } from '../service/refreshd.js';

/** JWKS and discovery (RFC 8414 / OpenID Connect Discovery, for the parts refreshd implements). */
export async function wellKnownPlugin(app: FastifyInstance, opts: { refreshd: Refreshd }): Promise<void> {
  const { refreshd } = opts;
  const url = (path: string) => new URL(path, refreshd.issuer).href;
  const metadata = {
    issuer: refreshd.issuer,
    token_endpoint: url('oauth/token'),
    revocation_endpoint: url('oauth/revoke'),
    jwks_uri: url('.well-known/jwks.json'),
    grant_types_supported: ['refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    response_types_supported: [],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [],
    token_endpoint_auth_signing_alg_values_supported: [],
  };

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
