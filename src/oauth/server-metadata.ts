import { DPOP_ALGORITHMS } from '../dpop/proof.js';
import { OIDC_SCOPES, SIGNING_ALGS, TOKEN_EXCHANGE_GRANT } from '../core/types.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * Authorization server metadata (RFC 8414, and the OpenID Connect Discovery fields verifiers read), for what
 * refreshd implements: no authorization endpoint, so no response types.
 *
 * `id_token_signing_alg_values_supported` lists every algorithm an access token may be signed with, although
 * refreshd issues no ID token: JWT middleware takes this list as the allowed algorithms (express-oauth2-jwt-bearer
 * refuses any other `alg`; go-oidc assumes RS256 when it is empty). All three are listed whatever the APIs use
 * today, because every one has a published key from boot and an API may switch algorithm while verifiers still
 * hold this document in cache.
 */
export function serverMetadata(issuer: string): Record<string, unknown> {
  const url = (path: string) => new URL(path, issuer).href;
  return {
    issuer,
    token_endpoint: url('oauth/token'),
    revocation_endpoint: url('oauth/revoke'),
    jwks_uri: url('.well-known/jwks.json'),
    grant_types_supported: ['refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // The scopes every API accepts; each API's own scopes are its business, not the server's.
    scopes_supported: [...OIDC_SCOPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    // RFC 9449 §5.1: the algorithms a DPoP proof may use at the token endpoint.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
  };
}
