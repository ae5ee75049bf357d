import type { Static } from '@sinclair/typebox';
import type { Client, RefreshTokenSettings } from '../../core/types.js';
import type { CreateClientBody, Client as ClientSchema, UpdateClientBody } from '../schemas/clients.js';
import type { ClientInput, RefreshTokenInput } from '../../admin/clients.js';
import { isPublicClient } from '../../core/refresh-token-protection.js';

export type ClientWire = Static<typeof ClientSchema>;

/** Auth0's app_type, derived: refreshd stores what the token endpoint needs, not the dashboard's label. */
export function appTypeOf(c: Client): string {
  if (isPublicClient(c)) return 'spa';
  if (c.grantTypes.length > 0 && c.grantTypes.every((g) => g === 'client_credentials')) return 'non_interactive';
  return 'regular_web';
}

export function refreshTokenToWire(rt: RefreshTokenSettings): ClientWire['refresh_token'] {
  return {
    rotation_type: rt.rotationType,
    expiration_type: rt.expirationType,
    leeway: rt.leewaySeconds,
    token_lifetime: rt.tokenLifetimeSeconds,
    infinite_token_lifetime: rt.infiniteTokenLifetime,
    idle_token_lifetime: rt.idleTokenLifetimeSeconds,
    infinite_idle_token_lifetime: rt.infiniteIdleTokenLifetime,
    ...(rt.policies ? { policies: rt.policies } : {}),
  };
}

/** A client as Auth0 shows it; the secret only when just created or rotated. */
export function clientToWire(c: Client, clientSecret: string | null = null): ClientWire {
  return {
    client_id: c.clientId,
    name: c.name,
    ...(clientSecret !== null ? { client_secret: clientSecret } : {}),
    global: false,
    is_first_party: true,
    app_type: appTypeOf(c),
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    grant_types: c.grantTypes,
    is_token_endpoint_ip_header_trusted: c.isTokenEndpointIpHeaderTrusted,
    web_origins: c.webOrigins,
    refresh_token: refreshTokenToWire(c.refreshToken),
    token_exchange_target_clients: c.tokenExchangeTargetClients,
    require_proof_of_possession: c.requireProofOfPossession,
    require_dpop_nonce: c.requireDpopNonce,
  };
}

type RefreshTokenBody = NonNullable<Static<typeof UpdateClientBody>['refresh_token']>;

function refreshTokenFromWire(rt: RefreshTokenBody | null | undefined): RefreshTokenInput | null | undefined {
  if (rt === null || rt === undefined) return rt;
  return {
    rotationType: rt.rotation_type,
    expirationType: rt.expiration_type,
    leewaySeconds: rt.leeway,
    tokenLifetimeSeconds: rt.token_lifetime,
    infiniteTokenLifetime: rt.infinite_token_lifetime,
    idleTokenLifetimeSeconds: rt.idle_token_lifetime,
    infiniteIdleTokenLifetime: rt.infinite_idle_token_lifetime,
    policies: rt.policies,
  };
}

/** The fields refreshd uses, in domain names; ignored Auth0 fields are dropped here. */
export function clientInputFromWire(b: Static<typeof UpdateClientBody> | Static<typeof CreateClientBody>): ClientInput {
  return {
    name: b.name,
    tokenEndpointAuthMethod: b.token_endpoint_auth_method,
    grantTypes: b.grant_types,
    isTokenEndpointIpHeaderTrusted: b.is_token_endpoint_ip_header_trusted,
    refreshToken: refreshTokenFromWire(b.refresh_token),
    webOrigins: b.web_origins,
    tokenExchangeTargetClients: b.token_exchange_target_clients,
    requireProofOfPossession: b.require_proof_of_possession,
    requireDpopNonce: b.require_dpop_nonce,
  };
}
