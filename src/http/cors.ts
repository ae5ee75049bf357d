import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Directory } from '../oauth/directory.js';
import { claimedClientId } from './claimed-client.js';

/** What a browser app may read beside the body: Auth0's rate-limit headers, and the DPoP nonce (RFC 9449 §8). */
const EXPOSED = 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, dpop-nonce';
/** The headers a browser app sends: a form or JSON body, the Auth0 SDKs' telemetry, and a DPoP proof. */
const ALLOWED_HEADERS = 'content-type, auth0-client, dpop';

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (vary === undefined) reply.header('vary', 'Origin');
  else if (!String(vary).toLowerCase().split(/\s*,\s*/).includes('origin')) reply.header('vary', `${String(vary)}, Origin`);
}

/**
 * CORS on the OAuth endpoints, driven by each client's `web_origins` as on Auth0: a browser app (a public
 * client) refreshes and revokes its own tokens from its origin. A preflight names no client, so it is answered
 * for any origin that some client lists; an answer carries `Access-Control-Allow-Origin` only when the client the
 * request names lists the origin, errors included, so the app can read `invalid_grant` and send its user to log
 * in again. Origins are compared exactly; no credentials (cookies) are involved, so none are allowed.
 */
export function registerCors(app: FastifyInstance, directory: Directory, paths: readonly string[]): void {
  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    addVary(reply);
    if (typeof origin === 'string' && (await directory.webOrigins()).has(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  };
  for (const path of paths) app.options(path, preflight);

  app.addHook('onSend', async (req, reply, payload) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || req.method === 'OPTIONS') return payload;
    addVary(reply);
    const clientId = claimedClientId(req);
    if (clientId === null) return payload;
    try {
      const client = await directory.client(clientId);
      if (client?.webOrigins.includes(origin)) {
        reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED);
      }
    } catch {
      // The store is down: the answer (a 503 already, most likely) goes out without CORS rather than not at all.
    }
    return payload;
  });
}
