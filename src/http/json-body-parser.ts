import type { FastifyInstance } from 'fastify';
import { duplicateJsonKey, quotableKey } from '../core/json-duplicates.js';

/**
 * application/json for one encapsulated scope: Fastify's own parser (syntax, and prototype poisoning refused as
 * the app is configured: `__proto__`, `constructor.prototype`), then a body whose object repeats a key is refused,
 * as a repeated form parameter is (RFC 6749 §3.2). `duplicate` builds the error in the scope's envelope.
 */
export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number | undefined, duplicate: (key: string) => Error): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string', ...(bodyLimit === undefined ? {} : { bodyLimit }) }, (req, body, done) => {
    parse(req, body as string, (err, value) => {
      if (err) {
        done(err, undefined);
        return;
      }
      const key = duplicateJsonKey(body as string);
      if (key !== null) done(duplicate(quotableKey(key)), undefined);
      else done(null, value);
    });
  });
}
