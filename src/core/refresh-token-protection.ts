import type { Client } from './types.js';

/**
 * RFC 9700 §4.14.2: anyone can present a public client's refresh token as that client, so the token must be
 * rotated (a copy dies at the next exchange, and its replay is detected) or sender-constrained (useless without
 * the client's key). refreshd offers rotation; sender-constrained tokens (DPoP) become the other accepted way
 * here, in `replayProtection` alone, once they exist.
 */
export type ReplayProtection = 'rotation';

type ClientShape = Pick<Client, 'tokenEndpointAuthMethod' | 'grantTypes' | 'refreshToken'>;

export function isPublicClient(client: Pick<Client, 'tokenEndpointAuthMethod'>): boolean {
  return client.tokenEndpointAuthMethod === 'none';
}

/** What protects this client's refresh tokens against replay by someone who copied one; null when nothing does. */
export function replayProtection(client: ClientShape): ReplayProtection | null {
  return client.refreshToken.rotationType === 'rotating' ? 'rotation' : null;
}

/** Why this client may not be configured as it is (a public client with unprotected refresh tokens), or null. */
export function refreshTokenProtectionProblem(client: ClientShape): string | null {
  if (!isPublicClient(client) || !client.grantTypes.includes('refresh_token') || replayProtection(client) !== null) return null;
  return 'a public client (token_endpoint_auth_method none) gets refresh tokens only if they rotate (RFC 9700 §4.14.2)';
}

/**
 * Whether exchanging this client's refresh token rotates it: as configured, and always for a public client, even
 * one stored before configurations saying otherwise were refused (an earlier release, a direct database edit).
 */
export function rotatesRefreshTokens(client: Pick<Client, 'tokenEndpointAuthMethod' | 'refreshToken'>): boolean {
  return client.refreshToken.rotationType === 'rotating' || isPublicClient(client);
}
