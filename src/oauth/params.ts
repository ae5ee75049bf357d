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
