import { OAuthError } from './errors.js';
import { isPublicClient } from './refresh-token-protection.js';
import type { Client, ResourceServer } from './types.js';

/**
 * Whether a DPoP proof from this client must carry a server nonce (RFC 9449 §8): as configured, and by default as
 * on Auth0, required from public clients (anyone can speak as one, so a pre-computed proof is the risk) and not
 * from confidential clients (their authentication already ties a request to them).
 */
export function dpopNonceRequired(client: Pick<Client, 'tokenEndpointAuthMethod' | 'requireDpopNonce'>): boolean {
  return client.requireDpopNonce ?? isPublicClient(client);
}

/** Whether access tokens for `api` issued to `client` must be DPoP-bound (Auth0's resource-server `proof_of_possession`). */
export function apiRequiresProof(api: Pick<ResourceServer, 'proofOfPossession'>, client: Pick<Client, 'tokenEndpointAuthMethod'>): boolean {
  const policy = api.proofOfPossession;
  return policy !== null && policy.required && (policy.requiredFor === 'all_clients' || isPublicClient(client));
}

/** The answer to a request that must carry a DPoP proof and has none (nothing was read or written for it). */
export function proofRequired(why: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', `A DPoP proof is required: ${why}.`);
}
