import type { TokenResponse } from './deps.js';

/** The `cnf` claim of an access token bound to `key` (RFC 9449 §6.1), to spread into its claims; none for a bearer token. */
export function boundTo(key: { jkt: string } | null | undefined): { cnf?: { jkt: string } } {
  return key ? { cnf: { jkt: key.jkt } } : {};
}

/** RFC 9449 §5: `token_type` says how the access token must be presented. */
export function tokenTypeFor(key: { jkt: string } | null | undefined): TokenResponse['token_type'] {
  return key ? 'DPoP' : 'Bearer';
}
