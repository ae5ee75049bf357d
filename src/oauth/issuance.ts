import { checkClaims, emptyClaims, type Claims } from '../core/claims.js';
import { checkMetadata } from '../core/metadata.js';
import { OAuthError } from '../core/errors.js';
import { apiRequiresProof } from '../core/proof-of-possession.js';
import { isLiveSession } from '../core/liveness.js';
import { isPublicClient, rotatesRefreshTokens } from '../core/refresh-token-protection.js';
import { randomId } from '../core/ids.js';
import { hasLoneSurrogate } from '../core/unicode.js';
import { formatScope, parseScopeParameter } from '../core/scopes.js';
import { OIDC_SCOPES, type Client, type Metadata, type RequestContext, type Session, type TokenFamily } from '../core/types.js';
import { newSecret, sha256 } from '../tokens/refresh-token.js';
import type { OAuthDeps, TokenResponse } from './deps.js';
import { boundTo, tokenTypeFor } from './dpop-binding.js';
import { absoluteExpiry, idleExpiry } from './lifetimes.js';
import { deniedByHook, hookEvent, hookUnavailable } from './token-hook-step.js';

export interface IssueRequest {
  client: Client;
  userId: string;
  audience: string;
  /** Space-delimited scope; a refresh token is issued only with offline_access and an API allowing it. */
  scope: string;
  /**
   * The most API scopes the tokens may carry (a token-exchange client's user grant); scopes beyond it are left
   * out. Absent: whatever the API defines (the library's `issue`, whose caller is the application itself).
   */
  grantedScopes?: readonly string[] | undefined;
  /** Attach to this existing session of the user; otherwise a new session is created. */
  sessionId?: string | undefined;
  context: RequestContext;
  /** Custom claims for every access token of the new family (already checked: see core/claims.ts). */
  claims?: Claims | undefined;
  /** The new family's refresh_token_metadata (already checked against Auth0's limits). */
  metadata?: Metadata | undefined;
  /** The DPoP key the access token is bound to (RFC 9449 §5); absent or null: a bearer token. */
  accessTokenKey?: { jkt: string } | null | undefined;
  /**
   * The DPoP key a public client's new family is bound to from its first token (RFC 9449 §5): every refresh must
   * then prove possession of it. Ignored for a confidential client, whose refresh tokens are not bound.
   */
  familyKey?: { jkt: string } | null | undefined;
}

export interface IssueResult {
  response: TokenResponse;
  sessionId: string;
  /** The family's public id (the Management API `id`) when a refresh token was issued. */
  familyId: string | null;
}

const USER_ID_MAX = 300;

export function validateUserId(userId: string): void {
  // Printable characters only: user ids end up in logs, JWTs and URLs.
  // A lone surrogate would be stored as U+FFFD: two user ids would become one subject.
  if (userId.length > USER_ID_MAX || hasLoneSurrogate(userId) || !/^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]*$/u.test(userId)) {
    throw new OAuthError('invalid_request', 'subject_token must be a user id of 1 to 300 printable characters.');
  }
}

/** The claims an issuance asks for, checked (400 invalid_request naming the problem, e.g. a reserved claim). */
export function issuanceClaims(value: unknown, parameter = 'access_token_claims'): Claims {
  const checked = checkClaims(value);
  if ('problem' in checked) throw new OAuthError('invalid_request', `${parameter}: ${checked.problem}.`);
  return checked.claims;
}

/** The refresh_token_metadata an issuance asks for, within Auth0's limits (400 invalid_request otherwise). */
export function issuanceMetadata(value: unknown): Metadata {
  const checked = checkMetadata('refresh_token_metadata', value);
  if ('problem' in checked) throw new OAuthError('invalid_request', checked.problem);
  return checked.metadata;
}

/**
 * Issues tokens for a user a trusted client has authenticated: a session (new or attached), an access token and,
 * when offline access is granted, a new refresh-token family.
 */
export async function issueForUser(req: IssueRequest, deps: OAuthDeps): Promise<IssueResult> {
  const { client, userId, audience, context } = req;
  validateUserId(userId);
  const api = await deps.directory.resourceServer(audience);
  if (!api || api.isSystem) throw new OAuthError('access_denied', `Service not enabled within domain: ${audience}`);
  if (apiRequiresProof(api, client) && !req.accessTokenKey) {
    throw new OAuthError('invalid_request', `${audience} requires DPoP-bound tokens: send a DPoP proof, or dpop_jkt for a public target_client_id.`);
  }

  const ceiling = req.grantedScopes;
  const requestedScope = parseScopeParameter(req.scope);
  const granted = requestedScope.filter((s) => OIDC_SCOPES.has(s) || (api.scopes.includes(s) && (ceiling === undefined || ceiling.includes(s))));
  const canRefresh = api.allowOfflineAccess && client.grantTypes.includes('refresh_token');
  const scopes = canRefresh ? granted : granted.filter((s) => s !== 'offline_access');
  const wantsRefresh = scopes.includes('offline_access');

  const now = deps.clock.now();
  const device = { initialIp: context.ip, initialUserAgent: context.userAgent, lastIp: context.ip, lastUserAgent: context.userAgent };
  let existing: Session | null = null;
  if (req.sessionId !== undefined) {
    existing = await deps.store.findSession(req.sessionId);
    if (!existing || existing.userId !== userId || !isLiveSession(existing, now)) {
      throw new OAuthError('invalid_request', 'The session does not exist or belongs to another user.');
    }
  }

  // The hook decides before anything is written: a deny or a failure leaves no session touched, no family.
  const sessionId = existing?.id ?? randomId();
  const familyId = wantsRefresh ? randomId() : null;
  let accessClaims = req.claims ?? emptyClaims();
  let familyClaims = accessClaims;
  let metadata: Metadata = req.metadata ?? (Object.create(null) as Metadata);
  if (deps.tokenHook?.handles('issuance')) {
    const verdict = await deps.tokenHook.decide(
      hookEvent({
        event: 'issuance',
        userId,
        clientId: client.clientId,
        audience,
        requestedScope,
        grantedScope: scopes,
        sessionId,
        accessClaims,
        refreshToken: familyId ? { id: familyId, claims: familyClaims, metadata, rotating: rotatesRefreshTokens(client) } : null,
        context,
      }),
      { accessClaims, familyClaims, metadata },
    );
    // No family exists yet, so revoke can only refuse, as deny does.
    if (verdict.kind === 'deny' || verdict.kind === 'revoke') throw deniedByHook(verdict.reason);
    if (verdict.kind === 'failed') throw hookUnavailable(verdict.reason);
    accessClaims = verdict.accessClaims;
    familyClaims = verdict.familyClaims ?? familyClaims;
    metadata = verdict.metadata ?? metadata;
  }

  let session: Session;
  let newSession: Session | undefined;
  if (existing) {
    session = (await deps.store.touchSession(existing.id, { clientId: client.clientId, now, lastIp: context.ip, lastUserAgent: context.userAgent })) ?? existing;
  } else {
    session = {
      id: sessionId,
      userId,
      createdAt: now,
      updatedAt: now,
      authenticatedAt: now,
      lastInteractedAt: now,
      idleExpiresAt: null,
      expiresAt: null,
      device,
      clients: [client.clientId],
      metadata: {},
    };
    newSession = session;
    // With a refresh token, the session is written in the family's transaction (below): never one without the other.
    if (!wantsRefresh) await deps.store.createSession(session);
  }

  let refreshToken: string | undefined;
  if (familyId) {
    const settings = client.refreshToken;
    const secret = newSecret();
    const expiresAt = absoluteExpiry(settings, now);
    const family: TokenFamily = {
      id: familyId,
      userId,
      clientId: client.clientId,
      sessionId: session.id,
      audience,
      scope: scopes,
      generation: 0,
      rotating: rotatesRefreshTokens(client),
      currentHash: sha256(secret),
      previousHash: null,
      successorBox: null,
      createdAt: now,
      rotatedAt: null,
      lastExchangedAt: null,
      idleExpiresAt: idleExpiry(settings, now, expiresAt),
      expiresAt,
      revokedAt: null,
      revokedReason: null,
      device,
      metadata,
      claims: familyClaims,
      successorClaims: null,
      dpopJkt: isPublicClient(client) ? (req.familyKey?.jkt ?? null) : null,
    };
    const { evicted } = await deps.store.createFamily(family, { maxActive: deps.maxFamiliesPerUserClient, now, session: newSession });
    for (const id of evicted) {
      deps.logger.info({ familyId: id, userId, clientId: client.clientId }, 'refresh token revoked: over the per-user limit');
    }
    refreshToken = deps.codec.format(family.id, 0, secret);
  }

  const at = await deps.accessTokens.mint(
    { sub: userId, aud: audience, azp: client.clientId, scope: formatScope(scopes), sid: session.id, custom: accessClaims, ...boundTo(req.accessTokenKey) },
    { alg: api.signingAlg, lifetimeSeconds: api.tokenLifetimeSeconds, now },
  );
  deps.events.emit({
    type: 'secte',
    date: now,
    description: 'Token exchange for a user',
    clientId: client.clientId,
    userId,
    ip: context.ip,
    userAgent: context.userAgent,
    details: { audience, scope: formatScope(scopes), session_id: session.id, ...(familyId ? { familyId, tokenCounter: 0 } : {}) },
  });
  const response: TokenResponse = { access_token: at.token, token_type: tokenTypeFor(req.accessTokenKey), expires_in: at.expiresIn, scope: formatScope(scopes) };
  if (refreshToken) response.refresh_token = refreshToken;
  return { response, sessionId: session.id, familyId };
}
