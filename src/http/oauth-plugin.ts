import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { EndpointRequest } from '../oauth/token-endpoint.js';
import type { Refreshd } from '../service/refreshd.js';
import { registerFormParser } from './form-parser.js';
import { oauthErrorHandler } from './oauth-errors.js';
import { OAuthErrorBody, OAuthRequestBody, TokenResponseBody } from './schemas/oauth.js';

const BODY_LIMIT = 64 * 1024;

function endpointRequest(req: FastifyRequest<{ Body: Record<string, string> }>): EndpointRequest {
  const forwarded = req.headers['auth0-forwarded-for'];
  return {
    params: req.body,
    authorization: req.headers.authorization,
    connection: { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null },
    forwardedFor: Array.isArray(forwarded) ? forwarded[0] : forwarded,
  };
}

/** POST /oauth/token and /oauth/revoke. Encapsulated: its parser, validator and error format stay in here. */
export async function oauthPlugin(app: FastifyInstance, opts: { refreshd: Refreshd }): Promise<void> {
  const { refreshd } = opts;
  // No type coercion here: a JSON number or array is not a valid OAuth parameter.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerFormParser(app, BODY_LIMIT);
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(oauthErrorHandler);
  const errors = { 400: OAuthErrorBody, 401: OAuthErrorBody, 403: OAuthErrorBody, 413: OAuthErrorBody, 429: OAuthErrorBody, 500: OAuthErrorBody, 503: OAuthErrorBody };

  app.post<{ Body: Record<string, string> }>(
    '/oauth/token',
    { bodyLimit: BODY_LIMIT, schema: { body: OAuthRequestBody, response: { 200: TokenResponseBody, ...errors } } },
    async (req, reply) => {
      const response = await refreshd.token(endpointRequest(req));
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return response;
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/oauth/revoke',
    { bodyLimit: BODY_LIMIT, schema: { body: OAuthRequestBody, response: errors } },
    async (req, reply) => {
      await refreshd.revocation(endpointRequest(req));
      reply.code(200).header('cache-control', 'no-store').send();
    },
  );
}
