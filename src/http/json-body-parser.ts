import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { duplicateJsonKey, quotableKey } from '../core/json-duplicates.js';
import { illFormed } from '../core/unicode.js';

/** Why a JSON body that parsed is still refused. */
export type JsonBodyProblem = { kind: 'duplicate_key'; key: string } | { kind: 'ill_formed_text' };

/**
 * application/json for one encapsulated scope: Fastify's own parser (syntax, and prototype poisoning refused as
 * the app is configured: `__proto__`, `constructor.prototype`), then refused:
 * - an object that repeats a key, as a repeated form parameter is (RFC 6749 §3.2);
 * - text that is not well-formed Unicode: bytes that are not UTF-8, or a lone surrogate escape (`"\ud800"`),
 *   which would otherwise be stored as U+FFFD (RFC 8259 §8.2 leaves its meaning open; I-JSON forbids it).
 * `refuse` builds the error in the scope's envelope.
 */
export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number | undefined, refuse: (problem: JsonBodyProblem) => Error): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', ...(bodyLimit === undefined ? {} : { bodyLimit }) }, (req, raw, done) => {
    if (!isUtf8(raw as Buffer)) {
      done(refuse({ kind: 'ill_formed_text' }), undefined);
      return;
    }
    const body = (raw as Buffer).toString('utf8');
    parse(req, body, (err, value) => {
      if (err) {
        done(err, undefined);
        return;
      }
      const key = duplicateJsonKey(body);
      if (key !== null) done(refuse({ kind: 'duplicate_key', key: quotableKey(key) }), undefined);
      else if (illFormed(value)) done(refuse({ kind: 'ill_formed_text' }), undefined);
      else done(null, value);
    });
  });
}
