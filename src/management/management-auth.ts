import { createHash } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type CryptoKey, type JWSHeaderParameters, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock.js';
import { StoreUnavailableError } from '../core/errors.js';
import { parseScope } from '../core/scopes.js';
import { SIGNING_ALGS, type SigningAlg } from '../core/types.js';
import { InsufficientScopeError, unauthorized } from './errors.js';

/** A verified Management API access token. */
export interface ManagementPrincipal {
  /** The client the token was issued to (`azp`), for audit events. */
  clientId: string | null;
  subject: string;
  scopes: ReadonlySet<string>;
  /** `exp` in epoch ms. */
  expiresAt: number;
  /** SHA-256 of the token (base64url): names the token in rate-limit counters without holding the token itself. */
  tokenKey: string;
}

export interface ManagementAuthOptions {
  /** jose key lookup by protected header (KeyRing.verificationKey). */
  verificationKey: (header: JWSHeaderParameters) => Promise<CryptoKey>;
  clock: Clock;
  issuer: string;
  audience: string;
  algorithms?: readonly SigningAlg[];
  /** Upper bound on how long one verification is reused (default 60 s), so a retired key stops working soon. */
  cacheTtlMs?: number;
  /** Most verified tokens kept (default 10 000); the oldest entry goes first. */
  cacheMaxEntries?: number;
  /**
   * The cut-off of the token's client (`azp`), looked up once per verification: epoch ms before which its tokens
   * are refused (rotate-secret with token revocation), null for none, undefined when the client no longer exists
   * (deleted: its tokens are refused too). Absent: not checked.
   */
  clientCutOff?: ((clientId: string) => Promise<number | null | undefined>) | undefined;
}

interface CacheEntry {
  principal: ManagementPrincipal;
  validUntil: number;
}

// RFC 6750 §2.1: the scheme is case-insensitive; a JWT is three base64url segments.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies the bearer tokens of the Management API: JWTs refreshd itself issued (client credentials) for the
 * Management API audience, checked with jose against the key ring at the service's clock. A verified token is
 * remembered by the SHA-256 of its text (the token itself is not kept) until it expires, at most `cacheTtlMs`,
 * so the hot path does one hash and one map lookup instead of a signature check.
 */
export class ManagementAuth {
  readonly #opts: Required<Omit<ManagementAuthOptions, 'algorithms' | 'clientCutOff'>> & { algorithms: SigningAlg[]; clientCutOff: ManagementAuthOptions['clientCutOff'] };
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: ManagementAuthOptions) {
    this.#opts = {
      cacheTtlMs: 60_000,
      cacheMaxEntries: 10_000,
      ...options,
      algorithms: [...(options.algorithms ?? SIGNING_ALGS)],
      clientCutOff: options.clientCutOff,
    };
  }

  /** The principal of an `Authorization` header; rejects with 401 UnauthorizedError when it does not hold. */
  async authenticate(authorization: string | undefined): Promise<ManagementPrincipal> {
    return this.resolve(authorization);
  }

  /**
   * Like authenticate, but answers synchronously when the token is already verified and cached (the hot path:
   * no promise, no microtask), and throws synchronously for a missing or malformed header. `beforeVerify` runs
   * (and may refuse by rejecting) before a token not yet verified costs a signature check.
   */
  resolve(authorization: string | undefined, beforeVerify?: () => Promise<void>): ManagementPrincipal | Promise<ManagementPrincipal> {
    if (authorization === undefined || authorization === '') throw unauthorized('missing');
    if (authorization.length > MAX_TOKEN_LENGTH + 16) throw unauthorized('malformed');
    const match = BEARER.exec(authorization);
    if (!match) throw unauthorized('malformed');
    const token = match[1] as string;
    const now = this.#opts.clock.now();
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = this.#cache.get(key);
    if (hit) {
      if (now < hit.validUntil) return hit.principal;
      // Re-verify: an expired token now fails with the precise reason.
      this.#cache.delete(key);
    }
    const verified = beforeVerify ? beforeVerify().then(() => this.#verify(token, key, now)) : this.#verify(token, key, now);
    return verified.then((principal) => {
      this.#remember(key, principal, now);
      return principal;
    });
  }

  async #verify(token: string, tokenKey: string, now: number): Promise<ManagementPrincipal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#opts.verificationKey, {
        issuer: this.#opts.issuer,
        audience: this.#opts.audience,
        algorithms: this.#opts.algorithms,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      // Loading keys reads the store; an outage is a 503, not the caller's fault.
      if (err instanceof StoreUnavailableError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw unauthorized('expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthorized(err.claim === 'nbf' ? 'not_yet_valid' : 'invalid_claims');
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw unauthorized('bad_signature');
      if (err instanceof joseErrors.JOSEError) throw unauthorized('malformed');
      // KeyRing.verificationKey throws a plain Error for a kid/alg it does not know.
      throw unauthorized('unknown_key');
    }
    const azp = typeof payload.azp === 'string' ? payload.azp : null;
    if (azp !== null && this.#opts.clientCutOff) {
      const cutOff = await this.#opts.clientCutOff(azp);
      if (cutOff === undefined) throw unauthorized('revoked');
      if (cutOff !== null && (typeof payload.iat === 'number' ? payload.iat : 0) * 1000 < cutOff) throw unauthorized('revoked');
    }
    return {
      clientId: azp,
      subject: payload.sub as string,
      scopes: new Set(parseScope(typeof payload.scope === 'string' ? payload.scope : '')),
      expiresAt: (payload.exp as number) * 1000,
      tokenKey,
    };
  }

  #remember(key: string, principal: ManagementPrincipal, now: number): void {
    if (this.#cache.size >= this.#opts.cacheMaxEntries) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(key, { principal, validUntil: Math.min(principal.expiresAt, now + this.#opts.cacheTtlMs) });
  }

  /** Forgets every verified token (e.g. after a signing key was revoked). */
  clear(): void {
    this.#cache.clear();
  }
}

/** Throws 403 insufficient_scope unless the principal holds any (or all) of `required`. */
export function requireScopes(principal: ManagementPrincipal, required: readonly string[], mode: 'any' | 'all'): void {
  const ok = mode === 'any' ? required.some((s) => principal.scopes.has(s)) : required.every((s) => principal.scopes.has(s));
  if (!ok) throw new InsufficientScopeError(required, mode);
}
