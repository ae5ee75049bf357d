import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ManagementError, StoreUnavailableError } from '../core/errors.js';
import { InsufficientScopeError, UnauthorizedError } from '../management/errors.js';

export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
}

/** Auth0's envelope: statusCode, the HTTP reason phrase, a message and a stable errorCode. */
export function envelope(statusCode: number, errorCode: string, message: string): ErrorEnvelope {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, errorCode };
}

const CONTEXT_CODES: Record<string, { errorCode: string; prefix: string }> = {
  body: { errorCode: 'invalid_body', prefix: 'Payload validation error' },
  querystring: { errorCode: 'invalid_query_string', prefix: 'Query validation error' },
  params: { errorCode: 'invalid_uri', prefix: 'Path validation error' },
  headers: { errorCode: 'invalid_headers', prefix: 'Headers validation error' },
};

/** Fastify's own 4xx errors (parsing, content type, size) all concern the request body. */
function bodyError(err: FastifyError): ManagementError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ManagementError(413, 'invalid_body', 'Request payload is larger than the 1 MB limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ManagementError(400, 'invalid_body', 'Invalid request body: send it as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ManagementError(400, 'invalid_body', 'Invalid request body: it is empty.');
    default:
      // JSON syntax errors and prototype-poisoning keys (__proto__, constructor.prototype) land here. The parser's
      // own text quotes the input, so it is not echoed.
      return new ManagementError(400, 'invalid_body', 'Invalid request body: it is not valid JSON, or it contains a forbidden key such as __proto__.');
  }
}

/**
 * Renders every error of the Management API in Auth0's envelope: use-case errors as they are, Fastify's
 * validation and parsing errors as 400 invalid_body / invalid_query_string / invalid_uri, a store outage as 503
 * (with Retry-After, which the SDK honours), and anything else as a bare 500 that is logged, never described.
 */
export function managementErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let e: ManagementError;
  const fe = err as FastifyError;
  if (err instanceof ManagementError) {
    e = err;
  } else if (err instanceof StoreUnavailableError) {
    e = new ManagementError(503, 'temporarily_unavailable', 'The service is temporarily unavailable; retry shortly.');
    reply.header('retry-after', '1');
  } else if (fe.validation && fe.validationContext) {
    const ctx = CONTEXT_CODES[fe.validationContext] ?? { errorCode: 'invalid_body', prefix: 'Validation error' };
    const first = fe.validation[0];
    const where = first?.instancePath ? ` on property ${first.instancePath.slice(1).replace(/\//g, '.').slice(0, 100)}` : '';
    e = new ManagementError(400, ctx.errorCode, `${ctx.prefix}: '${first?.message ?? 'invalid'}'${where}.`);
  } else if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    e = bodyError(fe);
  } else {
    req.log.error({ err }, 'unhandled error on a Management API endpoint');
    e = new ManagementError(500, 'internal_error', 'Internal Server Error');
  }

  if (err instanceof UnauthorizedError) {
    req.log.info({ reason: err.reason }, 'management API token refused');
    // RFC 6750 §3.1: a request with no credentials gets the challenge without an error code.
    reply.header('www-authenticate', err.reason === 'missing' ? 'Bearer realm="refreshd"' : 'Bearer realm="refreshd", error="invalid_token"');
  } else if (err instanceof InsufficientScopeError) {
    reply.header('www-authenticate', `Bearer realm="refreshd", error="insufficient_scope", scope="${err.required.join(' ')}"`);
  }
  reply.code(e.statusCode).send(envelope(e.statusCode, e.errorCode, e.message));
}
