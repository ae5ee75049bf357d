import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../core/errors.js';

/**
 * application/x-www-form-urlencoded for the OAuth endpoints. RFC 6749 §3.2: parameters must not repeat, so a
 * duplicate is rejected instead of silently picking one. The result has no prototype, so `__proto__` is data.
 */
export function registerFormParser(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const out = Object.create(null) as Record<string, string>;
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        done(new OAuthError('invalid_request', `Parameter ${key.slice(0, 64)} must not be repeated.`), undefined);
        return;
      }
      out[key] = value;
    }
    done(null, out);
  });
}
