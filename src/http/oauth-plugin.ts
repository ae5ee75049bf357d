import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { OAuthError } from '../core/errors.js';
import type { AuthenticationGate } from '../oauth/client-authentication.js';
import type { EndpointRequest } from '../oauth/token-endpoint.js';
import type { Refreshd } from '../service/refreshd.js';
import type { RateLimiter } from '../ratelimit/rate-limiter.js';
import { registerCors } from './cors.js';
import { registerFormParser } from './form-parser.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { oauthErrorHandler } from './oauth-errors.js';
import { checkRequest, countRequest, rateLimitHook } from './rate-limit-hook.js';
import { ipKey } from '../ratelimit/ip-key.js';
import { JSON_OBJECT_PARAMETERS, OAuthErrorBody, OAuthRequestBody, TokenResponseBody } from './schemas/oauth.js';

const BODY_LIMIT = 64 * 1024;

type OAuthBody = Record<string, string | Record<string, unknown>>;

/**
 * The parameters as the grants read them, every one a string: an object sent for a JSON-object parameter in a
 * JSON body becomes its JSON text, so both forms are checked by the same code (schema validation already allowed
 * objects for those names only).
 */
function stringParams(body: OAuthBody): Record<string, string> {
  if (!JSON_OBJECT_PARAMETERS.some((name) => typeof body[name] === 'object')) return body as Record<string, string>;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(body)) params[name] = typeof value === 'string' ? value : JSON.stringify(value);
  return params;
}

function endpointRequest(req: FastifyRequest<{ Body: OAuthBody }>, reply: FastifyReply, limiter: RateLimiter | null): EndpointRequest {
  const forwarded = req.headers['auth0-forwarded-for'];
  return {
    params: stringParams(req.body),
    authorization: req.headers.authorization,
    connection: { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null },
    forwardedFor: Array.isArray(forwarded) ? forwarded[0] : forwarded,
    gate: limiter ? authenticationLimits(limiter, req, reply) : undefined,
    dpop: dpopHeaders(req),
  };
}

/** Every `DPoP` header as sent: Node would join repeated ones into one string, and RFC 9449 §4.3 refuses more than one. */
function dpopHeaders(req: FastifyRequest): string[] {
  const raw = req.raw.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'dpop') out.push(raw[i + 1]!);
  return out;
}

/** Rule names of the OAuth endpoints' limits (see RateLimiter). */
export const OAUTH_RATE_LIMIT_RULES = { perIp: 'oauth_ip', perClient: 'oauth_client', authFailuresPerIp: 'oauth_auth_failures_ip' } as const;

const tooManyRequests = () =>
  new OAuthError('too_many_requests', 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.');

/**
 * The limits that depend on authentication. A confidential client's budget is charged only once its secret is
 * verified: charging the client a request names would let anyone spend another client's budget with wrong secrets.
 * Failed authentications are charged to the address they come from (IPv6 by /64), and an address that has spent
 * its failures is refused before its credentials are even looked at. A public client proves nothing by being named,
 * so its requests count per address only.
 */
function authenticationLimits(limiter: RateLimiter, req: FastifyRequest, reply: FastifyReply): AuthenticationGate {
  const ip = ipKey(req.ip ?? 'unknown');
  return {
    beforeAuthentication: () => checkRequest(limiter, OAUTH_RATE_LIMIT_RULES.authFailuresPerIp, ip, req, reply, tooManyRequests),
    failed: () => countRequest(limiter, OAUTH_RATE_LIMIT_RULES.authFailuresPerIp, ip, req, reply, tooManyRequests),
    authenticated: async (client) => {
      if (client.tokenEndpointAuthMethod !== 'none') await countRequest(limiter, OAUTH_RATE_LIMIT_RULES.perClient, client.clientId, req, reply, tooManyRequests);
    },
  };
}

export interface OAuthPluginOptions {
  refreshd: Refreshd;
  /** Per-IP and per-client limits on both endpoints; none when absent. */
  rateLimiter?: RateLimiter | null;
}

/** POST /oauth/token and /oauth/revoke. Encapsulated: its parser, validator, limits and error format stay in here. */
export async function oauthPlugin(app: FastifyInstance, opts: OAuthPluginOptions): Promise<void> {
  const { refreshd } = opts;
  // No type coercion here: a JSON number or array is not a valid OAuth parameter.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerFormParser(app, BODY_LIMIT);
  registerJsonBodyParser(app, BODY_LIMIT, (problem) =>
    problem.kind === 'duplicate_key'
      ? new OAuthError('invalid_request', `Parameter ${problem.key} must not be repeated.`)
      : new OAuthError('invalid_request', 'The request body must be well-formed Unicode (UTF-8, no lone surrogate escapes).'),
  );
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(oauthErrorHandler);
  const limiter = opts.rateLimiter?.active ? opts.rateLimiter : null;
  // Per IP before the body is read, so a flood is refused cheaply; per client and per failure around client
  // authentication (authenticationLimits).
  if (limiter) app.addHook('onRequest', rateLimitHook({ limiter, rule: OAUTH_RATE_LIMIT_RULES.perIp, key: (req) => ipKey(req.ip ?? 'unknown'), limited: tooManyRequests }));
  registerCors(app, refreshd.directory, ['/oauth/token', '/oauth/revoke']);
  const errors = { 400: OAuthErrorBody, 401: OAuthErrorBody, 403: OAuthErrorBody, 413: OAuthErrorBody, 429: OAuthErrorBody, 500: OAuthErrorBody, 503: OAuthErrorBody };

  app.post<{ Body: OAuthBody }>(
    '/oauth/token',
    { bodyLimit: BODY_LIMIT, schema: { body: OAuthRequestBody, response: { 200: TokenResponseBody, ...errors } } },
    async (req, reply) => {
      const request = endpointRequest(req, reply, limiter);
      const response = await refreshd.token(request);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      // RFC 9449 §8.2: a fresh nonce with every answer to a DPoP client, so its next proof needs no challenge.
      if (request.dpop?.length) reply.header('dpop-nonce', refreshd.dpopNonce());
      return response;
    },
  );

  app.post<{ Body: OAuthBody }>(
    '/oauth/revoke',
    { bodyLimit: BODY_LIMIT, schema: { body: OAuthRequestBody, response: errors } },
    async (req, reply) => {
      await refreshd.revocation(endpointRequest(req, reply, limiter));
      reply.code(200).header('cache-control', 'no-store').send();
    },
  );
}
