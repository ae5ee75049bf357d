import { isPublicClient } from './refresh-token-protection.js';
import type { Client } from './types.js';

/**
 * Whether a DPoP proof from this client must carry a server nonce (RFC 9449 §8). As on Auth0: public clients must,
 * confidential clients need not (their authentication already ties a request to them).
 */
export function dpopNonceRequired(client: Pick<Client, 'tokenEndpointAuthMethod'>): boolean {
  return isPublicClient(client);
}
