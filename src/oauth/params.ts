import { OAuthError } from '../core/errors.js';

/** A required, non-empty parameter, or invalid_request naming it. */
export function required(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw new OAuthError('invalid_request', `Missing required parameter: ${name}`);
  return v;
}

/** An optional parameter; an empty value counts as absent (RFC 6749 §3.1). */
export function optional(params: Record<string, string>, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === '' ? undefined : v;
}

/** C0 control characters and DEL: no OAuth parameter refreshd reads (ids, tokens, scopes, URIs) may hold them. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses a request whose parameters hold control characters, before anything reads them. Values are copied into
 * security events and looked up in the database, and PostgreSQL text cannot hold NUL: refused here, such input
 * never reaches either.
 */
export function refuseControlCharacters(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (CONTROL.test(value) || CONTROL.test(name)) {
      throw new OAuthError('invalid_request', `Parameter ${name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 64)} must not contain control characters.`);
    }
  }
}
