import type { Claims } from '../core/claims.js';
import { secureRandomBytes } from '../core/random.js';
import { compactVerify } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '../core/types.js';
import { signAccessToken, type AccessTokenContent } from './access-token-jwt.js';
import type { KeyRing } from './key-ring.js';

export interface AccessTokenClaims {
  sub: string;
  aud: string;
  azp: string;
  scope: string;
  sid?: string | undefined;
  /** Auth0 marks machine-to-machine tokens with gty=client-credentials. */
  gty?: string | undefined;
  /** The application's custom claims (never a reserved name: those are refused where claims come in). */
  custom?: Claims | undefined;
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to. */
  cnf?: { jkt: string } | undefined;
}

/** Signs access tokens off the event loop (the crypto workers); the issuer signs on the calling thread without one. */
export interface TokenSigner {
  sign(content: AccessTokenContent, privateJwk: string): Promise<string>;
}

export interface MintedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * JWT access tokens (iss, sub, aud, iat, exp, scope, azp, jti, sid), signed with the store's keys via jose: on
 * the crypto workers' threads when there is one, else on the calling thread.
 */
export class AccessTokenIssuer {
  readonly #keys: KeyRing;
  readonly #issuer: string;
  readonly #pool: TokenSigner | null;

  constructor(keys: KeyRing, issuer: string, pool: TokenSigner | null = null) {
    this.#keys = keys;
    this.#issuer = issuer;
    this.#pool = pool;
  }

  async mint(claims: AccessTokenClaims, options: { alg: SigningAlg; lifetimeSeconds: number; now: number }): Promise<MintedAccessToken> {
    const { kid, key, privateJwk } = await this.#keys.signingKey(options.alg);
    const iat = Math.floor(options.now / 1000);
    // Custom claims first, refreshd's own after: even a reserved name that slipped through could not override them.
    const payload: Record<string, unknown> = { ...claims.custom, scope: claims.scope, azp: claims.azp };
    if (claims.sid) payload.sid = claims.sid;
    if (claims.gty) payload.gty = claims.gty;
    if (claims.cnf) payload.cnf = { jkt: claims.cnf.jkt };
    const content: AccessTokenContent = {
      alg: options.alg,
      kid,
      iss: this.#issuer,
      sub: claims.sub,
      aud: claims.aud,
      iat,
      exp: iat + options.lifetimeSeconds,
      jti: secureRandomBytes(16).toString('base64url'),
      claims: payload,
    };
    const token = this.#pool ? await this.#pool.sign(content, privateJwk) : await signAccessToken(content, key);
    return { token, expiresIn: options.lifetimeSeconds };
  }

  /**
   * Whether `token` is an access token this server signed, expired or not (its signature verifies with a published
   * key and its `iss` is ours): revocation answers such a token unsupported_token_type rather than pretending.
   */
  async issued(token: string): Promise<boolean> {
    if (token.split('.').length !== 3) return false;
    try {
      const { payload } = await compactVerify(token, (header) => this.#keys.verificationKey(header), { algorithms: [...SIGNING_ALGS] });
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
      return typeof claims === 'object' && claims !== null && (claims as { iss?: unknown }).iss === this.#issuer;
    } catch {
      return false;
    }
  }
}
