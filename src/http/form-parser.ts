import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../core/errors.js';

const notUtf8 = () => new OAuthError('invalid_request', 'The request body must be UTF-8, and its percent-encoding well-formed UTF-8.');

/**
 * application/x-www-form-urlencoded for the OAuth endpoints. RFC 6749 §3.2: parameters must not repeat, so a
 * duplicate is rejected instead of silently picking one. The result has no prototype, so `__proto__` is data.
 *
 * Bytes that are not UTF-8, raw or percent-encoded (`%ED%A0%80`, an encoded lone surrogate; `%FF`), are refused:
 * URLSearchParams would decode each to U+FFFD, so two different user ids would arrive as one.
 */
export function registerFormParser(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (_req, raw, done) => {
    if (!isUtf8(raw as Buffer)) {
      done(notUtf8(), undefined);
      return;
    }
    const body = (raw as Buffer).toString('utf8');
    try {
      // Only a check: it throws on percent-escapes that are not well-formed UTF-8 (`&` and `=` are ASCII, so no
      // sequence spans two parameters); URLSearchParams below does the parsing.
      decodeURIComponent(body);
    } catch {
      done(notUtf8(), undefined);
      return;
    }
    const out = Object.create(null) as Record<string, string>;
    for (const [key, value] of new URLSearchParams(body)) {
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        done(new OAuthError('invalid_request', `Parameter ${key.slice(0, 64)} must not be repeated.`), undefined);
        return;
      }
      out[key] = value;
    }
    done(null, out);
  });
}
