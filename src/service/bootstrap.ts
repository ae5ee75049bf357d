import { randomBytes } from 'node:crypto';
import { randomClientId, randomId, randomSecret } from '../core/ids.js';
import { MANAGEMENT_SCOPES } from '../core/types.js';
import { DEFAULT_REFRESH_TOKEN_SETTINGS } from '../oauth/defaults.js';
import { sha256 } from '../tokens/refresh-token.js';
import type { Refreshd } from './refreshd.js';

export interface BootstrapCredentials {
  clientId: string;
  clientSecret: string;
  audience: string;
}

/**
 * First start with nothing configured: creates one Management API client and returns its secret, exactly once per
 * Management audience, even when several instances start together. Nothing happens when any client already holds
 * a grant for the Management API (for example one declared in the configuration file).
 */
export async function bootstrapManagementClient(refreshd: Refreshd): Promise<BootstrapCredentials | null> {
  const { store, clock, managementAudience } = refreshd;
  const grants = await store.listClientGrants();
  if (grants.some((g) => g.audience === managementAudience && g.subjectType === 'client')) return null;
  const claim = randomBytes(16);
  const winner = await store.getOrCreateSecret(`bootstrap:${managementAudience}`, () => claim, clock.now());
  if (!winner.equals(claim)) return null;

  const now = clock.now();
  const clientId = randomClientId();
  const clientSecret = randomSecret();
  await store.upsertClient({
    clientId,
    name: 'refreshd Management API (bootstrap)',
    secretHash: sha256(clientSecret),
    tokenEndpointAuthMethod: 'client_secret_post',
    grantTypes: ['client_credentials'],
    isTokenEndpointIpHeaderTrusted: false,
    webOrigins: [],
    tokenExchangeTargetClients: [],
    requireProofOfPossession: false,
    requireDpopNonce: null,
    refreshToken: { ...DEFAULT_REFRESH_TOKEN_SETTINGS },
    createdAt: now,
    updatedAt: now,
  });
  await store.upsertClientGrant({ id: randomId(), clientId, audience: managementAudience, scope: [...MANAGEMENT_SCOPES], subjectType: 'client' });
  refreshd.directory.invalidate();
  return { clientId, clientSecret, audience: managementAudience };
}

/**
 * The text printed once at first start: the credentials, a command that gets a Management API token, and the
 * admin console's address when it is served.
 */
export function bootstrapBanner(c: BootstrapCredentials, issuer: string, consoleUrl: string | null = null): string {
  const tokenUrl = new URL('oauth/token', issuer).href;
  return [
    '',
    'refreshd created a Management API client. Its secret is shown only this once:',
    `  client_id:     ${c.clientId}`,
    `  client_secret: ${c.clientSecret}`,
    'Get a Management API access token with:',
    `  curl -s ${tokenUrl} -d grant_type=client_credentials -d client_id=${c.clientId} \\`,
    `    -d client_secret=${c.clientSecret} --data-urlencode audience=${c.audience}`,
    ...(consoleUrl ? [`Or sign in to the admin console with them: ${consoleUrl}`] : []),
    `Lost it? Issue a new secret with: npx refreshd clients rotate-secret ${c.clientId}`,
    '',
  ].join('\n');
}
