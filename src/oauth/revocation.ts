import { OAuthError } from '../core/errors.js';
import { digestsEqual, sha256 } from '../tokens/refresh-token.js';
import { authenticateRequest } from './client-authentication.js';
import type { OAuthDeps } from './deps.js';
import type { EndpointRequest } from './token-endpoint.js';
import { endUserContext } from './request-context.js';

/**
 * POST /oauth/revoke (RFC 7009 as Auth0 does it): the client is authenticated first, then the token's whole family
 * is revoked if it belongs to that client, with the same answer for known, unknown and foreign refresh tokens.
 *
 * `token_type_hint` is only read once the client is authenticated, and never decides anything: refreshd recognises
 * the token itself, and RFC 7009 §2.1 lets the server ignore the hint (an unknown value "is ignored"). An access
 * token refreshd issued is answered 400 unsupported_token_type (§2.2.1: the server does not revoke that type; it
 * expires on its own), so a client that meant to log a user out learns it did not; anything else unrecognised is
 * an invalid token, which §2.2 answers 200.
 */
export async function revocationEndpoint(req: EndpointRequest, deps: OAuthDeps): Promise<void> {
  const client = await authenticateRequest(req, deps.directory);
  const token = req.params.token;
  if (token === undefined || token === '') throw new OAuthError('invalid_request', 'Missing required parameter: token');
  if (!deps.codec.parse(token) && (await deps.accessTokens.issued(token))) {
    throw new OAuthError('unsupported_token_type', 'Access tokens cannot be revoked; they expire. Revoke the refresh token.');
  }
  const context = endUserContext(client, req.connection, req.forwardedFor);
  await revokeToken(client.clientId, token, deps, context);
}

/** Revokes the family of `token` if `clientId` owns it; returns whether this call revoked it. */
export async function revokeToken(
  clientId: string,
  token: string,
  deps: OAuthDeps,
  context: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
): Promise<boolean> {
  const parsed = deps.codec.parse(token);
  if (!parsed) return false;
  const family = await deps.store.findFamily(parsed.familyId);
  if (!family || family.clientId !== clientId || family.revokedAt !== null) return false;
  // The MAC proves the generation is ours; the current one must also match its digest.
  if (parsed.generation > family.generation) return false;
  if (parsed.generation === family.generation && !digestsEqual(family.currentHash, sha256(parsed.secret))) return false;
  const now = deps.clock.now();
  const revoked = await deps.store.revokeFamily(family.id, now, 'revoked_by_client');
  if (revoked) {
    deps.events.emit({
      type: 'srrt',
      date: now,
      description: 'Refresh token revoked',
      clientId,
      userId: family.userId,
      ip: context.ip,
      userAgent: context.userAgent,
      details: { credential_id: family.id, audience: family.audience, session_id: family.sessionId },
    });
  }
  return revoked;
}
