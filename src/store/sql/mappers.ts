import type { Insertable, Selectable } from 'kysely';
import { claimsFromText, claimsToText } from '../../core/claims.js';
import type {
  Client,
  ClientGrant,
  GrantSubjectType,
  Metadata,
  RefreshTokenSettings,
  ProofOfPossessionPolicy,
  ResourceServer,
  Session,
  SigningAlg,
  SigningKey,
  TokenEndpointAuthMethod,
  TokenFamily,
} from '../../core/types.js';
import type {
  ClientGrantsTable,
  ClientsTable,
  ResourceServersTable,
  SessionsTable,
  SigningKeysTable,
  TokenFamiliesTable,
} from './database.js';

// pg returns bigint as a string unless told otherwise; the pool installs a parser, this is the belt to its braces.
const ms = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const msOrNull = (v: number | string | null): number | null => (v === null ? null : ms(v));
const bit = (v: boolean): number => (v ? 1 : 0);

function parseMetadata(text: string | null): Metadata {
  if (!text) return {};
  // Parsed into a null-prototype object so keys such as __proto__ stay plain data.
  const parsed = JSON.parse(text) as Record<string, string>;
  const out: Metadata = Object.create(null) as Metadata;
  for (const [k, v] of Object.entries(parsed)) out[k] = v;
  return out;
}

export function metadataToText(metadata: Metadata): string | null {
  return Object.keys(metadata).length === 0 ? null : JSON.stringify(metadata);
}

export function familyFromRow(r: Selectable<TokenFamiliesTable>): TokenFamily {
  return {
    id: r.id,
    userId: r.user_id,
    clientId: r.client_id,
    sessionId: r.session_id,
    audience: r.audience,
    scope: r.scope === '' ? [] : r.scope.split(' '),
    generation: Number(r.generation),
    rotating: Boolean(r.rotating),
    currentHash: r.current_hash,
    previousHash: r.previous_hash,
    successorBox: r.successor_box,
    createdAt: ms(r.created_at),
    rotatedAt: msOrNull(r.rotated_at),
    lastExchangedAt: msOrNull(r.last_exchanged_at),
    idleExpiresAt: msOrNull(r.idle_expires_at),
    expiresAt: msOrNull(r.expires_at),
    revokedAt: msOrNull(r.revoked_at),
    revokedReason: r.revoked_reason,
    device: {
      initialIp: r.initial_ip,
      initialUserAgent: r.initial_user_agent,
      lastIp: r.last_ip,
      lastUserAgent: r.last_user_agent,
    },
    metadata: parseMetadata(r.metadata),
    claims: claimsFromText(r.claims),
    successorClaims: r.successor_claims === null ? null : claimsFromText(r.successor_claims),
    dpopJkt: r.dpop_jkt ?? null,
  };
}

export function familyToRow(f: TokenFamily): Insertable<TokenFamiliesTable> {
  return {
    id: f.id,
    user_id: f.userId,
    client_id: f.clientId,
    session_id: f.sessionId,
    audience: f.audience,
    scope: f.scope.join(' '),
    generation: f.generation,
    rotating: bit(f.rotating),
    current_hash: f.currentHash,
    previous_hash: f.previousHash,
    successor_box: f.successorBox,
    created_at: f.createdAt,
    rotated_at: f.rotatedAt,
    last_exchanged_at: f.lastExchangedAt,
    idle_expires_at: f.idleExpiresAt,
    expires_at: f.expiresAt,
    revoked_at: f.revokedAt,
    revoked_reason: f.revokedReason,
    initial_ip: f.device.initialIp,
    initial_user_agent: f.device.initialUserAgent,
    last_ip: f.device.lastIp,
    last_user_agent: f.device.lastUserAgent,
    metadata: metadataToText(f.metadata),
    claims: claimsToText(f.claims),
    successor_claims: f.successorClaims === null ? null : JSON.stringify(f.successorClaims),
    dpop_jkt: f.dpopJkt,
  };
}

export function sessionFromRow(r: Selectable<SessionsTable>): Session {
  return {
    id: r.id,
    userId: r.user_id,
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
    authenticatedAt: ms(r.authenticated_at),
    lastInteractedAt: ms(r.last_interacted_at),
    idleExpiresAt: msOrNull(r.idle_expires_at),
    expiresAt: msOrNull(r.expires_at),
    device: {
      initialIp: r.initial_ip,
      initialUserAgent: r.initial_user_agent,
      lastIp: r.last_ip,
      lastUserAgent: r.last_user_agent,
    },
    clients: JSON.parse(r.clients) as string[],
    metadata: parseMetadata(r.metadata),
  };
}

export function sessionToRow(s: Session): Insertable<SessionsTable> {
  return {
    id: s.id,
    user_id: s.userId,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    authenticated_at: s.authenticatedAt,
    last_interacted_at: s.lastInteractedAt,
    idle_expires_at: s.idleExpiresAt,
    expires_at: s.expiresAt,
    initial_ip: s.device.initialIp,
    initial_user_agent: s.device.initialUserAgent,
    last_ip: s.device.lastIp,
    last_user_agent: s.device.lastUserAgent,
    clients: JSON.stringify(s.clients),
    metadata: metadataToText(s.metadata),
  };
}

export function clientFromRow(r: Selectable<ClientsTable>): Client {
  return {
    clientId: r.client_id,
    name: r.name,
    secretHash: r.secret_hash,
    tokenEndpointAuthMethod: r.token_endpoint_auth_method as TokenEndpointAuthMethod,
    grantTypes: JSON.parse(r.grant_types) as string[],
    isTokenEndpointIpHeaderTrusted: Boolean(r.ip_header_trusted),
    refreshToken: JSON.parse(r.refresh_token) as RefreshTokenSettings,
    webOrigins: JSON.parse(r.web_origins) as string[],
    tokenExchangeTargetClients: JSON.parse(r.token_exchange_targets) as string[],
    requireProofOfPossession: Boolean(r.require_pop),
    requireDpopNonce: r.require_dpop_nonce === null || r.require_dpop_nonce === undefined ? null : Boolean(r.require_dpop_nonce),
    tokensValidAfter: msOrNull(r.tokens_valid_after),
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
  };
}

export function clientToRow(c: Client): Insertable<ClientsTable> {
  return {
    client_id: c.clientId,
    name: c.name,
    secret_hash: c.secretHash,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    grant_types: JSON.stringify(c.grantTypes),
    ip_header_trusted: bit(c.isTokenEndpointIpHeaderTrusted),
    refresh_token: JSON.stringify(c.refreshToken),
    web_origins: JSON.stringify(c.webOrigins),
    token_exchange_targets: JSON.stringify(c.tokenExchangeTargetClients),
    require_pop: bit(c.requireProofOfPossession),
    require_dpop_nonce: c.requireDpopNonce === null ? null : bit(c.requireDpopNonce),
    tokens_valid_after: c.tokensValidAfter ?? null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function resourceServerFromRow(r: Selectable<ResourceServersTable>): ResourceServer {
  return {
    identifier: r.identifier,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    allowOfflineAccess: Boolean(r.allow_offline_access),
    tokenLifetimeSeconds: Number(r.token_lifetime),
    signingAlg: r.signing_alg as SigningAlg,
    isSystem: Boolean(r.is_system),
    proofOfPossession: r.proof_of_possession ? (JSON.parse(r.proof_of_possession) as ProofOfPossessionPolicy) : null,
  };
}

export function resourceServerToRow(rs: ResourceServer): Insertable<ResourceServersTable> {
  return {
    identifier: rs.identifier,
    name: rs.name,
    scopes: JSON.stringify(rs.scopes),
    allow_offline_access: bit(rs.allowOfflineAccess),
    token_lifetime: rs.tokenLifetimeSeconds,
    signing_alg: rs.signingAlg,
    is_system: bit(rs.isSystem),
    proof_of_possession: rs.proofOfPossession === null ? null : JSON.stringify(rs.proofOfPossession),
  };
}

export function clientGrantFromRow(r: Selectable<ClientGrantsTable>, subjectType: GrantSubjectType): ClientGrant {
  return { id: r.id, clientId: r.client_id, audience: r.audience, scope: JSON.parse(r.scope) as string[], subjectType };
}

export function signingKeyFromRow(r: Selectable<SigningKeysTable>): SigningKey {
  return {
    kid: r.kid,
    alg: r.alg as SigningAlg,
    privateJwk: r.private_jwk,
    publicJwk: r.public_jwk,
    createdAt: ms(r.created_at),
    activatesAt: msOrNull(r.activates_at),
    retiredAt: msOrNull(r.retired_at),
    verifyUntil: msOrNull(r.verify_until),
  };
}
