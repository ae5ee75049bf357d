import { OAuthError } from '../core/errors.js';
import { OIDC_SCOPES, type Client, type ResourceServer, type TokenFamily } from '../core/types.js';
import type { Directory } from './directory.js';

export interface ResolvedAccess {
  api: ResourceServer;
  audience: string;
  scopes: string[];
}

const union = (a: readonly string[], b: readonly string[]) => [...a, ...b.filter((s) => !a.includes(s))];

/**
 * What an exchange of `family` may obtain (RFC 6749 §6 and Auth0's multi-resource refresh tokens):
 * - the family's own audience: its scopes plus any MRRT policy scopes for it; a requested `scope` may narrow but
 *   not widen (invalid_scope), except under an MRRT policy, where unauthorized scopes are silently dropped;
 * - another audience: only if a policy of the client names it; the token gets that policy's scopes.
 * Reads only immutable family fields, so checking it before the compare-and-set is race-free.
 */
export async function resolveAccess(
  family: TokenFamily,
  client: Client,
  requestedScope: string[] | null,
  requestedAudience: string | null,
  directory: Directory,
): Promise<ResolvedAccess> {
  const audience = requestedAudience ?? family.audience;
  const policy = (client.refreshToken.policies ?? []).find((p) => p.audience === audience);
  const api = await directory.resourceServer(audience);
  if (!api || api.isSystem) throw new OAuthError('access_denied', `Service not enabled within domain: ${audience}`);

  if (audience === family.audience) {
    const base = union(family.scope, (policy?.scope ?? []).filter((s) => api.scopes.includes(s)));
    if (requestedScope === null) return { api, audience, scopes: base };
    if (policy) return { api, audience, scopes: requestedScope.filter((s) => base.includes(s)) };
    const widened = requestedScope.filter((s) => !base.includes(s));
    if (widened.length > 0) {
      throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope granted to the refresh token.', {
        detail: `not granted: ${widened.join(' ')}`,
      });
    }
    return { api, audience, scopes: requestedScope };
  }

  if (!policy) {
    throw new OAuthError('access_denied', `The refresh token cannot be used to obtain tokens for audience: ${audience}`);
  }
  const base = union(
    family.scope.filter((s) => OIDC_SCOPES.has(s)),
    policy.scope.filter((s) => api.scopes.includes(s)),
  );
  return { api, audience, scopes: requestedScope === null ? base : requestedScope.filter((s) => base.includes(s)) };
}
