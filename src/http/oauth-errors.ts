import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, StoreUnavailableError } from '../core/errors.js';

/** Renders any error on the OAuth endpoints as RFC 6749 JSON; never a stack, never a 500 for bad input. */
export function oauthErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let e: OAuthError;
  if (err instanceof OAuthError) {
    e = err;
  } else if (err instanceof StoreUnavailableError) {
    e = new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable; retry shortly.', { status: 503 });
    reply.header('retry-after', '1');
  } else {
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const tooLarge = status === 413;
      e = new OAuthError('invalid_request', tooLarge ? 'The request body is too large.' : describe(err as FastifyError), {
        status: tooLarge ? 413 : 400,
      });
    } else {
      req.log.error({ err }, 'unhandled error on an OAuth endpoint');
      e = new OAuthError('server_error', 'The server encountered an unexpected condition.');
    }
  }
  // Every temporarily_unavailable (a database outage, a token hook that fails closed) is worth one retry soon.
  if (e.error === 'temporarily_unavailable' && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  if (e.status < 500) req.log.info({ oauthError: e.error, detail: e.detail }, e.description);
  if (e.error === 'invalid_client' && e.status === 401 && /^basic /i.test(req.headers.authorization ?? '')) {
    reply.header('www-authenticate', 'Basic realm="refreshd", charset="UTF-8"');
  }
  for (const [name, value] of Object.entries(e.headers)) reply.header(name, value);
  reply
    .code(e.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error: e.error, error_description: e.description });
}

function describe(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type; send application/x-www-form-urlencoded or application/json.';
    case 'FST_ERR_VALIDATION':
      return 'Invalid request: parameters must be a flat object of strings.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is empty.';
    default:
      return 'The request is malformed.';
  }
}
