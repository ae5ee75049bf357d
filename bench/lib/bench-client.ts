/** The client, APIs and request shape every refresh target in the harness is driven with. */

export const CLIENT_ID = 'bench-rotating';
export const CLIENT_SECRET = 'bench-rotating-secret-0123456789abcdefghij';
/** A public client (a single-page app) whose families the backend binds to the app's DPoP key. */
export const DPOP_CLIENT_ID = 'bench-spa';
export const ES256_AUDIENCE = 'https://api-es256.bench.example/';
export const RS256_AUDIENCE = 'https://api-rs256.bench.example/';
export const SCOPE = 'offline_access read:data';
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
/** Sent on every request (and stored by refreshd as the family's last user agent), like a real backend's client. */
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export const TOKEN_PATH = '/oauth/token';

/** A fixed issuer, so the Management API audience (and the config file naming it) is the same on every port. */
export const REFRESHD_ISSUER = 'http://refreshd.bench.example/';
export const MANAGEMENT_AUDIENCE = 'https://refreshd.bench.example/api/v2/';
export const MANAGEMENT_CLIENT_ID = 'bench-management';
export const MANAGEMENT_CLIENT_SECRET = 'bench-management-secret-0123456789abcdefgh';

export const REQUEST_HEADERS: Record<string, string> = {
  'content-type': 'application/x-www-form-urlencoded',
  'user-agent': USER_AGENT,
};

/** The refresh request body of the public DPoP client: no secret, the proof in the DPoP header authenticates the key. */
export function publicRefreshBody(refreshToken: string): string {
  return `grant_type=refresh_token&client_id=${DPOP_CLIENT_ID}&refresh_token=${encodeURIComponent(refreshToken)}`;
}

/** The token endpoint as the issuer names it: a DPoP proof's `htu`. */
export const TOKEN_ENDPOINT = new URL(TOKEN_PATH.slice(1), REFRESHD_ISSUER).href;

/** The refresh request body: client_secret_post authentication, as a backend would send it. */
export function refreshBody(refreshToken: string): string {
  return `grant_type=refresh_token&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&refresh_token=${encodeURIComponent(refreshToken)}`;
}

export type BenchAlg = 'ES256' | 'RS256';

export function audienceFor(alg: BenchAlg): string {
  return alg === 'ES256' ? ES256_AUDIENCE : RS256_AUDIENCE;
}

/**
 * The refreshd configuration file (Auth0 field names): one rotating client (no leeway), one API per signing
 * algorithm, and a Management API client.
 */
export function refreshdConfig(): Record<string, unknown> {
  return {
    resource_servers: [
      { identifier: ES256_AUDIENCE, scopes: [{ value: 'read:data' }], allow_offline_access: true, signing_alg: 'ES256', token_lifetime: ACCESS_TOKEN_LIFETIME_SECONDS },
      { identifier: RS256_AUDIENCE, scopes: [{ value: 'read:data' }], allow_offline_access: true, signing_alg: 'RS256', token_lifetime: ACCESS_TOKEN_LIFETIME_SECONDS },
    ],
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'],
        refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 2_592_000, idle_token_lifetime: 1_296_000 },
        // The backend issues the single-page app's first tokens (token exchange with target_client_id, dpop_jkt).
        token_exchange_target_clients: [DPOP_CLIENT_ID],
      },
      // A public client, DPoP as Auth0 defaults it for public clients: proofs must carry the server's nonce.
      {
        client_id: DPOP_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['refresh_token'],
        refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 2_592_000, idle_token_lifetime: 1_296_000 },
      },
      // For the Management API read scenarios (pending until that API lands).
      { client_id: MANAGEMENT_CLIENT_ID, client_secret: MANAGEMENT_CLIENT_SECRET, grant_types: ['client_credentials'] },
    ],
    client_grants: [
      { client_id: MANAGEMENT_CLIENT_ID, audience: MANAGEMENT_AUDIENCE, scope: ['read:refresh_tokens', 'read:sessions'] },
      // Token exchange reaches only the APIs of the client's user grants.
      { client_id: CLIENT_ID, audience: ES256_AUDIENCE, scope: ['read:data'], subject_type: 'user' },
      { client_id: CLIENT_ID, audience: RS256_AUDIENCE, scope: ['read:data'], subject_type: 'user' },
    ],
  };
}

/** The JSON a seed endpoint of a floor or the peer answers: tokens nobody has presented yet. */
export interface SeedResponse {
  tokens: string[];
}
