import { OAuthError } from '../core/errors.js';
import { hasLoneSurrogate } from '../core/unicode.js';

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
 * Refuses a request whose parameters hold control characters or ill-formed Unicode, before anything reads them.
 * Values are copied into security events and looked up or stored in the database: PostgreSQL text cannot hold
 * NUL, and a lone surrogate (a JSON body's `\ud800`) would be stored as U+FFFD, making two user ids one.
 */
export function refuseUnsafeParameters(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    const shown = () => name.replace(/[\u0000-\u001f\u007f]|\p{Cs}/gu, '?').slice(0, 64);
    if (CONTROL.test(value) || CONTROL.test(name)) {
      throw new OAuthError('invalid_request', `Parameter ${shown()} must not contain control characters.`);
    }
    if (hasLoneSurrogate(value) || hasLoneSurrogate(name)) {
      throw new OAuthError('invalid_request', `Parameter ${shown()} must be well-formed Unicode text (no lone surrogates).`);
    }
  }
}
