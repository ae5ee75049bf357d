import { SignJWT } from 'jose';
import { secureRandomBytes } from '../core/random.js';
import type { SigningAlg } from '../core/types.js';
import type { KeyRing } from './key-ring.js';

export interface AccessTokenClaims {
  sub: string;
  aud: string;
  azp: string;
  scope: string;
  sid?: string | undefined;
  /** Auth0 marks machine-to-machine tokens with gty=client-credentials. */
  gty?: string | undefined;
}

export interface MintedAccessToken {
  token: string;
  expiresIn: number;
}

/** JWT access tokens (iss, sub, aud, iat, exp, scope, azp, jti, sid), signed with the store's keys via jose. */
export class AccessTokenIssuer {
  readonly #keys: KeyRing;
  readonly #issuer: string;

  constructor(keys: KeyRing, issuer: string) {
    this.#keys = keys;
    this.#issuer = issuer;
  }

  async mint(claims: AccessTokenClaims, options: { alg: SigningAlg; lifetimeSeconds: number; now: number }): Promise<MintedAccessToken> {
    const { kid, key } = await this.#keys.signingKey(options.alg);
    const iat = Math.floor(options.now / 1000);
    const payload: Record<string, string> = { scope: claims.scope, azp: claims.azp };
    if (claims.sid) payload.sid = claims.sid;
    if (claims.gty) payload.gty = claims.gty;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: options.alg, kid, typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(iat)
      .setExpirationTime(iat + options.lifetimeSeconds)
      .setJti(secureRandomBytes(16).toString('base64url'))
      .sign(key);
    return { token, expiresIn: options.lifetimeSeconds };
  }
}
