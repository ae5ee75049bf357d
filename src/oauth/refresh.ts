import { invalidRefreshToken, OAuthError } from '../core/errors.js';
import { formatScope } from '../core/scopes.js';
import type { Client, RequestContext, TokenFamily } from '../core/types.js';
import { digestsEqual, newSecret, openSuccessor, sealSuccessor, sha256, type ParsedRefreshToken } from '../tokens/refresh-token.js';
import { resolveAccess } from './access-resolution.js';
import type { OAuthDeps, TokenResponse } from './deps.js';
import { idleExpiry, isExpired } from './lifetimes.js';

export interface RefreshRequest {
  client: Client;
  refreshToken: string;
  /** Requested scopes (may only narrow), or null for the family's own. */
  scope: string[] | null;
  /** Requested audience (MRRT), or null for the family's own. */
  audience: string | null;
  context: RequestContext;
}

/** Why an exchange failed, for logs, events and metrics; the client always sees the same description. */
export type RefreshFailure = 'malformed' | 'unknown' | 'other_client' | 'revoked' | 'expired' | 'reused' | 'invalid';

export interface RefreshOutcome {
  response: TokenResponse;
  family: TokenFamily;
  /** 'rotated' or 'exchanged' (non-rotating) after the compare-and-set, 'leeway_replay' when a retry converged. */
  kind: 'rotated' | 'exchanged' | 'leeway_replay';
}

/**
 * The refresh grant. The happy path is one compare-and-set statement; only when it does not apply is the family
 * read, to tell a lost race or retry inside the leeway (answered with the same successor, so the lineage never
 * forks) from reuse of a rotated token (the family is revoked) and from tokens that are simply dead.
 */
export async function refreshFamily(req: RefreshRequest, deps: OAuthDeps): Promise<RefreshOutcome> {
  const { client, context } = req;
  const parsed = deps.codec.parse(req.refreshToken);
  if (!parsed) throw failure(deps, req, null, 'malformed');

  // Scope and audience checks need the family's grant, which never changes: read it first only when asked.
  if (req.scope !== null || req.audience !== null) {
    const family = await deps.store.findFamily(parsed.familyId);
    if (family && family.clientId === client.clientId) await resolveAccess(family, client, req.scope, req.audience, deps.directory);
  }

  const settings = client.refreshToken;
  const now = deps.clock.now();
  const rotating = settings.rotationType === 'rotating';
  const presentedHash = sha256(parsed.secret);
  const nextSecret = rotating ? newSecret() : null;
  const nextGeneration = parsed.generation + 1;
  const updated = await deps.store.exchangeFamily({
    familyId: parsed.familyId,
    clientId: client.clientId,
    presentedGeneration: parsed.generation,
    presentedHash,
    now,
    idleExpiresAt: idleExpiry(settings, now),
    rotating,
    next: nextSecret
      ? {
          currentHash: sha256(nextSecret),
          successorBox: settings.leewaySeconds > 0 ? sealSuccessor(parsed.secret, parsed.familyId, nextGeneration, nextSecret) : null,
        }
      : null,
    lastIp: context.ip,
    lastUserAgent: context.userAgent,
  });

  if (updated) {
    const successor = nextSecret ? deps.codec.format(updated.id, nextGeneration, nextSecret) : undefined;
    return respond(req, deps, updated, successor, rotating ? 'rotated' : 'exchanged', parsed.generation);
  }
  return classifyMiss(req, deps, parsed, presentedHash, now);
}

async function classifyMiss(req: RefreshRequest, deps: OAuthDeps, parsed: ParsedRefreshToken, presentedHash: Buffer, now: number): Promise<RefreshOutcome> {
  const family = await deps.store.findFamily(parsed.familyId);
  if (!family) throw failure(deps, req, null, 'unknown');
  if (family.clientId !== req.client.clientId) throw failure(deps, req, null, 'other_client');
  if (family.revokedAt !== null) throw failure(deps, req, family, 'revoked', parsed.generation);
  if (isExpired(family, now)) throw failure(deps, req, family, 'expired', parsed.generation);

  if (parsed.generation === family.generation - 1 && digestsEqual(family.previousHash, presentedHash)) {
    const leewayMs = req.client.refreshToken.leewaySeconds * 1000;
    if (leewayMs > 0 && family.rotatedAt !== null && now - family.rotatedAt <= leewayMs && family.successorBox) {
      const successor = openSuccessor(parsed.secret, family.id, family.generation, family.successorBox);
      if (successor && digestsEqual(family.currentHash, sha256(successor))) {
        return respond(req, deps, family, deps.codec.format(family.id, family.generation, successor), 'leeway_replay', parsed.generation);
      }
    }
  }
  // The MAC proves we issued this generation; an older one coming back means the family leaked.
  if (parsed.generation < family.generation) {
    const revoked = await deps.store.revokeFamily(family.id, now, 'reuse');
    deps.logger.warn(
      { event: 'ferrt', familyId: family.id, latestCounter: family.generation, tokenCounter: parsed.generation, revoked, clientId: family.clientId, userId: family.userId },
      'refresh token reuse detected: family revoked',
    );
    deps.events.emit({
      type: 'ferrt',
      date: now,
      description: 'Reuse of a rotated refresh token detected; the token family was revoked.',
      clientId: family.clientId,
      userId: family.userId,
      ip: req.context.ip,
      userAgent: req.context.userAgent,
      details: { familyId: family.id, latestCounter: family.generation, tokenCounter: parsed.generation },
    });
    throw invalidRefreshToken(`reuse: family ${family.id} revoked (latest ${family.generation}, presented ${parsed.generation})`);
  }
  throw failure(deps, req, family, 'invalid', parsed.generation);
}

async function respond(
  req: RefreshRequest,
  deps: OAuthDeps,
  family: TokenFamily,
  successor: string | undefined,
  kind: RefreshOutcome['kind'],
  presentedGeneration: number,
): Promise<RefreshOutcome> {
  const now = deps.clock.now();
  const access = await resolveAccess(family, req.client, req.scope, req.audience, deps.directory);
  const at = await deps.accessTokens.mint(
    {
      sub: family.userId,
      aud: access.audience,
      azp: family.clientId,
      scope: formatScope(access.scopes),
      sid: family.sessionId ?? undefined,
    },
    { alg: access.api.signingAlg, lifetimeSeconds: access.api.tokenLifetimeSeconds, now },
  );
  deps.events.emit({
    type: 'sertft',
    date: now,
    description: 'Successful exchange of Refresh Token for Access Token',
    clientId: family.clientId,
    userId: family.userId,
    ip: req.context.ip,
    userAgent: req.context.userAgent,
    details: {
      familyId: family.id,
      tokenCounter: presentedGeneration,
      outcome: kind,
      requested_audience: req.audience,
      requested_scope: req.scope === null ? null : formatScope(req.scope),
    },
  });
  const response: TokenResponse = { access_token: at.token, token_type: 'Bearer', expires_in: at.expiresIn, scope: formatScope(access.scopes) };
  if (successor) response.refresh_token = successor;
  return { response, family, kind };
}

function failure(deps: OAuthDeps, req: RefreshRequest, family: TokenFamily | null, reason: RefreshFailure, generation?: number): OAuthError {
  deps.events.emit({
    type: 'fertft',
    date: deps.clock.now(),
    description: 'Failed exchange of Refresh Token for Access Token',
    clientId: req.client.clientId,
    userId: family?.userId ?? null,
    ip: req.context.ip,
    userAgent: req.context.userAgent,
    details: { failure_reason: reason, ...(family ? { familyId: family.id, latestCounter: family.generation, tokenCounter: generation } : {}) },
  });
  return invalidRefreshToken(reason);
}
