import { MANAGEMENT_SCOPES, TOKEN_EXCHANGE_GRANT } from '../../src/core/types.js';

export const API = 'https://api.example.com';
export const ES_API = 'https://es.example.com';
export const ED_API = 'https://ed.example.com';
export const OTHER_API = 'https://other.example.com';
export const NO_OFFLINE_API = 'https://no-offline.example.com';

export const secretOf = (clientId: string) => `${clientId}-secret-0123456789abcdefghijklmnop`;

const userGrants = [TOKEN_EXCHANGE_GRANT, 'refresh_token'];
const expiring = { expiration_type: 'expiring', token_lifetime: 86_400, idle_token_lifetime: 3_600 } as const;

/** The scopes each fixture API defines. */
const API_SCOPES: Record<string, string[]> = {
  [API]: ['read:data', 'write:data'],
  [ES_API]: ['read:data'],
  [ED_API]: ['read:data'],
  [OTHER_API]: ['other:read', 'other:write'],
  [NO_OFFLINE_API]: ['read:data'],
};

/** The fixture clients with the token-exchange grant. */
const USER_FACING = ['backend', 'backend-leeway', 'backend-static', 'backend-forever', 'backend-basic', 'backend-mrrt', 'no-refresh'];

/** The Management API client: client credentials with every Management API scope (narrowed per request). */
export const MGMT_CLIENT = 'mgmt';

/**
 * The configuration file the behaviour suites run against, in Auth0's field names. With `managementAudience`,
 * the `mgmt` client is granted every Management API scope on it.
 */
export function fixtureConfig(managementAudience?: string): Record<string, unknown> {
  return {
    resource_servers: [
      { identifier: API, scopes: [{ value: 'read:data' }, { value: 'write:data' }], allow_offline_access: true, token_lifetime: 3600 },
      { identifier: ES_API, scopes: [{ value: 'read:data' }], allow_offline_access: true, signing_alg: 'ES256' },
      { identifier: ED_API, scopes: [{ value: 'read:data' }], allow_offline_access: true, signing_alg: 'EdDSA' },
      { identifier: OTHER_API, scopes: [{ value: 'other:read' }, { value: 'other:write' }], allow_offline_access: true, token_lifetime: 600 },
      { identifier: NO_OFFLINE_API, scopes: [{ value: 'read:data' }] },
    ],
    clients: [
      {
        client_id: 'backend',
        client_secret: secretOf('backend'),
        grant_types: userGrants,
        // The public clients it logs users into; spa-flagged and spa-static are added by tests, ghost-spa never exists.
        token_exchange_target_clients: ['spa', 'spa-flagged', 'spa-static', 'ghost-spa'],
        is_token_endpoint_ip_header_trusted: true,
        refresh_token: { rotation_type: 'rotating', ...expiring },
      },
      {
        client_id: 'backend-leeway',
        client_secret: secretOf('backend-leeway'),
        grant_types: userGrants,
        refresh_token: { rotation_type: 'rotating', leeway: 30, ...expiring },
      },
      {
        client_id: 'backend-static',
        client_secret: secretOf('backend-static'),
        grant_types: userGrants,
        refresh_token: { rotation_type: 'non-rotating', ...expiring },
      },
      {
        client_id: 'backend-forever',
        client_secret: secretOf('backend-forever'),
        grant_types: userGrants,
      },
      {
        client_id: 'backend-basic',
        client_secret: secretOf('backend-basic'),
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: userGrants,
        refresh_token: { rotation_type: 'rotating', ...expiring },
      },
      {
        client_id: 'backend-mrrt',
        client_secret: secretOf('backend-mrrt'),
        grant_types: userGrants,
        refresh_token: { rotation_type: 'rotating', ...expiring, policies: [{ audience: OTHER_API, scope: ['other:read'] }] },
      },
      {
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        grant_types: ['refresh_token'],
        refresh_token: { rotation_type: 'rotating', ...expiring },
        web_origins: ['https://app.example.com', 'http://localhost:5173'],
      },
      {
        client_id: 'no-refresh',
        client_secret: secretOf('no-refresh'),
        grant_types: [TOKEN_EXCHANGE_GRANT],
      },
      {
        client_id: 'm2m',
        client_secret: secretOf('m2m'),
        grant_types: ['client_credentials'],
      },
      {
        client_id: MGMT_CLIENT,
        client_secret: secretOf(MGMT_CLIENT),
        grant_types: ['client_credentials'],
      },
    ],
    client_grants: [
      { client_id: 'm2m', audience: API, scope: ['read:data', 'write:data'] },
      // Token exchange: every user-facing client may issue tokens for every API, with all its scopes.
      ...USER_FACING.flatMap((client_id) => Object.entries(API_SCOPES).map(([audience, scope]) => ({ client_id, audience, scope, subject_type: 'user' }))),
      ...(managementAudience ? [{ client_id: MGMT_CLIENT, audience: managementAudience, scope: [...MANAGEMENT_SCOPES] }] : []),
    ],
  };
}
