import { SignJWT, type CryptoKey } from 'jose';
import type { SigningAlg } from '../core/types.js';

/** Everything an access token holds, ready to sign; the same on the main thread and in a signing worker. */
export interface AccessTokenContent {
  alg: SigningAlg;
  kid: string;
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  /** Private claims (the application's custom claims, then scope, azp, sid, gty), in the order they appear in the token. */
  claims: Record<string, unknown>;
}

/** Signs an access token with jose: the one place that decides its header and registered claims. */
export function signAccessToken(content: AccessTokenContent, key: CryptoKey): Promise<string> {
  return new SignJWT(content.claims)
    .setProtectedHeader({ alg: content.alg, kid: content.kid, typ: 'JWT' })
    .setIssuer(content.iss)
    .setSubject(content.sub)
    .setAudience(content.aud)
    .setIssuedAt(content.iat)
    .setExpirationTime(content.exp)
    .setJti(content.jti)
    .sign(key);
}
