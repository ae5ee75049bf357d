import type { Claims } from '../core/claims.js';
import { rotatesRefreshTokens } from '../core/refresh-token-protection.js';
import { invalidRefreshToken, type OAuthError } from '../core/errors.js';
import type { Metadata, TokenFamily } from '../core/types.js';
import type { ParsedRefreshToken } from '../tokens/refresh-token.js';
import type { ResolvedAccess } from './access-resolution.js';
import type { OAuthDeps } from './deps.js';
import type { RefreshRequest, ScopedRefreshRequest } from './refresh.js';
import { failedExchange } from './refresh-events.js';
import { deniedByHook, hookEvent, hookUnavailable } from './token-hook-step.js';

/**
 * What the exchange will write and mint, as the token hook shaped it: the access token's custom claims, and the
 * family's new claims and metadata when the hook replaced them (absent: the stored ones stay).
 */
export interface ShapedRefresh {
  accessClaims: Claims;
  familyClaims?: Claims;
  metadata?: Metadata;
  /** The hook's answer made the access token differ from the family's claims: keep it for leeway retries. */
  keepForRetries: boolean;
}

/**
 * Stage 2 of a refresh, for the token hook: the token is validated and the access decided, nothing is written.
 * Without a hook (or for a client whose event is not hooked) the family's claims go into the token. A deny, a
 * revoke or (under on_failure deny) a failure ends the request here, so the presented token stays exactly as it
 * was, except for revoke, which is the hook's explicit wish.
 */
export async function shapeRefresh(req: ScopedRefreshRequest, deps: OAuthDeps, presented: ParsedRefreshToken, family: TokenFamily, access: ResolvedAccess): Promise<ShapedRefresh> {
  const hook = deps.tokenHook;
  if (!hook?.handles('refresh')) return { accessClaims: family.claims, keepForRetries: false };
  const subject = { accessClaims: family.claims, familyClaims: family.claims, metadata: family.metadata };
  const verdict = await hook.decide(
    hookEvent({
      event: 'refresh',
      // Every request presenting this token asks about the same rotation; only one answer is ever used.
      idempotencyKey: `${family.id}.${presented.generation}`,
      userId: family.userId,
      clientId: family.clientId,
      audience: access.audience,
      requestedScope: req.requestedScope,
      grantedScope: access.scopes,
      sessionId: family.sessionId,
      accessClaims: family.claims,
      refreshToken: { id: family.id, claims: family.claims, metadata: family.metadata, rotating: rotatesRefreshTokens(req.client) },
      context: req.context,
    }),
    subject,
  );
  switch (verdict.kind) {
    case 'deny':
      failedExchange(deps, req, family, { failure_reason: 'hook_denied', reason: verdict.reason }, presented.generation);
      throw deniedByHook(verdict.reason);
    case 'revoke':
      throw await revokeByHook(req, deps, family, presented, verdict.reason);
    case 'failed':
      failedExchange(deps, req, family, { failure_reason: 'hook_failed', hook_failure: verdict.reason }, presented.generation);
      throw hookUnavailable(verdict.reason);
    case 'proceed': {
      const stored = verdict.familyClaims ?? family.claims;
      return {
        accessClaims: verdict.accessClaims,
        ...(verdict.familyClaims !== undefined ? { familyClaims: verdict.familyClaims } : {}),
        ...(verdict.metadata !== undefined ? { metadata: verdict.metadata } : {}),
        keepForRetries: JSON.stringify(verdict.accessClaims) !== JSON.stringify(stored),
      };
    }
  }
}

/** Auth0's `api.refreshToken.revoke(reason)`: the family is revoked (`srrt`) and the client gets invalid_grant. */
async function revokeByHook(req: RefreshRequest, deps: OAuthDeps, family: TokenFamily, presented: ParsedRefreshToken, reason: string): Promise<OAuthError> {
  const now = deps.clock.now();
  const revoked = await deps.store.revokeFamily(family.id, now, 'token_hook');
  if (revoked) {
    deps.events.emit({
      type: 'srrt',
      date: now,
      description: 'Refresh token revoked by the token hook',
      clientId: family.clientId,
      userId: family.userId,
      ip: req.context.ip,
      userAgent: req.context.userAgent,
      details: { credential_id: family.id, audience: family.audience, session_id: family.sessionId, reason },
    });
  }
  failedExchange(deps, req, family, { failure_reason: 'hook_revoked', reason }, presented.generation);
  return invalidRefreshToken(`revoked by the token hook: family ${family.id}`);
}
