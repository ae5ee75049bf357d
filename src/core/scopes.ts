import { OAuthError } from './errors.js';

/** The longest `scope` parameter accepted from a request (under the 8192 of any OAuth parameter); refused before it is split. */
export const MAX_SCOPE_LENGTH = 4096;
/** The most scope tokens (repeats included) one request may name. */
export const MAX_SCOPE_COUNT = 256;

/**
 * Scopes are space-delimited on the wire (RFC 6749 §3.3); inside, an ordered list without duplicates. Linear
 * (a Set, not a scan per token), for values refreshd wrote itself (a verified token's `scope`, a grant's).
 */
export function parseScope(scope: string | undefined | null): string[] {
  if (!scope) return [];
  const out = new Set<string>();
  for (const s of scope.split(' ')) if (s) out.add(s);
  return [...out];
}

/**
 * A `scope` parameter from a request: refused with invalid_scope when it is longer than MAX_SCOPE_LENGTH or names
 * more than MAX_SCOPE_COUNT scopes, before it is split, so a hostile request costs at most a bounded, linear pass.
 */
export function parseScopeParameter(scope: string | undefined | null): string[] {
  if (!scope) return [];
  if (scope.length > MAX_SCOPE_LENGTH) throw new OAuthError('invalid_scope', `The scope parameter must be at most ${MAX_SCOPE_LENGTH} characters.`);
  let count = 0;
  for (let i = 0; i < scope.length; i++) {
    if (scope.charCodeAt(i) !== 0x20 && (i === 0 || scope.charCodeAt(i - 1) === 0x20) && ++count > MAX_SCOPE_COUNT) {
      throw new OAuthError('invalid_scope', `The scope parameter must name at most ${MAX_SCOPE_COUNT} scopes.`);
    }
  }
  return parseScope(scope);
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}
