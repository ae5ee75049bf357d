import { MANAGEMENT_AUDIENCE, MANAGEMENT_CLIENT_ID, MANAGEMENT_CLIENT_SECRET, REQUEST_HEADERS } from '../lib/bench-client.js';
import { issueRefreshdTokens } from '../lib/seed-tokens.js';

export type ManagementRead = 'refresh-token' | 'user-refresh-tokens';

export interface GetPlan {
  headers: Record<string, string>;
  /** Paths the connections cycle through (connection i starts at path i). */
  paths: string[];
}

/** The family id (Management API id) inside a refresh token: bytes 1..17 of the decoded body. */
export function familyIdOf(token: string): string {
  return Buffer.from(token.slice('rfd_rt_'.length), 'base64url').subarray(1, 17).toString('base64url');
}

/**
 * Setup for the Management API reads: one user with 200 families (Auth0's per-user-per-client cap) and a
 * Management API access token from client_credentials. GET /api/v2/refresh-tokens/{id} cycles through the 200
 * ids; GET /api/v2/users/{id}/refresh-tokens lists the user's 200 families.
 */
export async function prepareManagementReads(baseUrl: string, read: ManagementRead): Promise<GetPlan> {
  const userId = `auth0|bench-mgmt-${Date.now().toString(36)}`;
  const tokens = await issueRefreshdTokens(baseUrl, 'ES256', 200, { userId });
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: MANAGEMENT_CLIENT_ID, client_secret: MANAGEMENT_CLIENT_SECRET, audience: MANAGEMENT_AUDIENCE }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !json.access_token) throw new Error(`management token: ${res.status} ${JSON.stringify(json)}`);
  const headers = { authorization: `Bearer ${json.access_token}` };
  const paths =
    read === 'refresh-token'
      ? tokens.map((t) => `/api/v2/refresh-tokens/${familyIdOf(t)}`)
      : [`/api/v2/users/${encodeURIComponent(userId)}/refresh-tokens`];
  return { headers, paths };
}
