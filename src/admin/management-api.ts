import { MANAGEMENT_SCOPES, type ResourceServer } from '../core/types.js';
import type { Store } from '../ports/store.js';

/**
 * The built-in Management API's resource server, as every start writes it: its audience, every Management scope,
 * RS256, and the configured token lifetime (REFRESHD_MANAGEMENT_TOKEN_LIFETIME).
 */
export function managementApi(audience: string, tokenLifetimeSeconds: number): ResourceServer {
  return {
    identifier: audience,
    name: 'refreshd Management API',
    scopes: [...MANAGEMENT_SCOPES],
    allowOfflineAccess: false,
    tokenLifetimeSeconds,
    signingAlg: 'RS256',
    isSystem: true,
    proofOfPossession: null,
  };
}

/** Writes the built-in Management API when it is missing or differs (a start, or the CLI before any start). */
export async function ensureManagementApi(store: Store, audience: string, tokenLifetimeSeconds: number): Promise<void> {
  const api = managementApi(audience, tokenLifetimeSeconds);
  const existing = await store.findResourceServer(api.identifier);
  if (!existing || JSON.stringify(existing) !== JSON.stringify(api)) await store.upsertResourceServer(api);
}
