import type { Claims } from './claims.js';

/** Domain types. camelCase inside; Auth0's snake_case exists only at the HTTP and SQL edges. Times are epoch ms. */

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const USER_ID_TOKEN_TYPE = 'urn:refreshd:params:oauth:token-type:user-id';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Grant types Auth0 accepts on a client; refreshd serves the three it implements and stores the rest. */
export const KNOWN_GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'http://auth0.com/oauth/grant-type/password-realm',
  'http://auth0.com/oauth/grant-type/passwordless/otp',
  'http://auth0.com/oauth/grant-type/mfa-oob',
  'http://auth0.com/oauth/grant-type/mfa-otp',
  'http://auth0.com/oauth/grant-type/mfa-recovery-code',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
  TOKEN_EXCHANGE_GRANT,
] as const;
export type GrantType = (typeof KNOWN_GRANT_TYPES)[number];

export type TokenEndpointAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export interface RefreshTokenPolicyEntry {
  audience: string;
  scope: string[];
}

/** A client's `refresh_token` settings (Auth0 `ClientRefreshTokenConfiguration`), lifetimes in seconds. */
export interface RefreshTokenSettings {
  rotationType: 'rotating' | 'non-rotating';
  expirationType: 'expiring' | 'non-expiring';
  leewaySeconds: number;
  tokenLifetimeSeconds: number;
  infiniteTokenLifetime: boolean;
  idleTokenLifetimeSeconds: number;
  infiniteIdleTokenLifetime: boolean;
  /** Multi-resource refresh token policies; null when none. */
  policies: RefreshTokenPolicyEntry[] | null;
}

export interface Client {
  clientId: string;
  name: string;
  /** SHA-256 of the client secret; null for public clients. */
  secretHash: Buffer | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: string[];
  isTokenEndpointIpHeaderTrusted: boolean;
  refreshToken: RefreshTokenSettings;
  /** Browser origins allowed to call the OAuth endpoints as this client (CORS), as Auth0's `web_origins`. */
  webOrigins: string[];
  /**
   * refreshd extension: the public clients this client may name as `target_client_id` in a token exchange
   * (issuing the tokens in their name). Empty: it exchanges only for itself.
   */
  tokenExchangeTargetClients: string[];
  /** Auth0's `require_proof_of_possession`: every token request of this client must carry a DPoP proof. */
  requireProofOfPossession: boolean;
  /**
   * refreshd extension `require_dpop_nonce`: whether this client's DPoP proofs must carry a server nonce (RFC 9449
   * §8). Null: the default, required from public clients as on Auth0.
   */
  requireDpopNonce: boolean | null;
  /**
   * Management API access tokens of this client issued before this instant (epoch ms, rounded down to the second
   * of `iat`) are refused: set by rotate-secret with token revocation. Absent or null: no cut-off.
   */
  tokensValidAfter?: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: string[];
  allowOfflineAccess: boolean;
  tokenLifetimeSeconds: number;
  signingAlg: SigningAlg;
  /** True for the built-in Management API; it cannot be changed through configuration. */
  isSystem: boolean;
  /** Auth0's `proof_of_possession`: tokens for this API must be DPoP-bound, for public clients or all; null: no rule. */
  proofOfPossession: ProofOfPossessionPolicy | null;
}

/** Auth0's resource-server `proof_of_possession`, for the one mechanism refreshd implements. */
export interface ProofOfPossessionPolicy {
  mechanism: 'dpop';
  required: boolean;
  requiredFor: 'public_clients' | 'all_clients';
}

/**
 * Who a client grant lets the client obtain tokens for (Auth0's `subject_type`): `client`, itself
 * (client_credentials); `user`, the users it vouches for (token exchange). At most one of each per client and API.
 */
export type GrantSubjectType = 'client' | 'user';

export interface ClientGrant {
  id: string;
  clientId: string;
  audience: string;
  scope: string[];
  subjectType: GrantSubjectType;
}

export interface Device {
  initialIp: string | null;
  initialUserAgent: string | null;
  lastIp: string | null;
  lastUserAgent: string | null;
}

/** Where a request came from, as far as the token endpoint can tell. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

export type Metadata = Record<string, string>;

/**
 * A refresh-token family: the Management API's refresh-token object. One row, updated in place on every
 * exchange; `generation` counts rotations, and only digests of the current and previous token are kept.
 */
export interface TokenFamily {
  id: string;
  userId: string;
  clientId: string;
  sessionId: string | null;
  audience: string;
  scope: string[];
  generation: number;
  rotating: boolean;
  currentHash: Buffer;
  previousHash: Buffer | null;
  /** The current token's secret, encrypted under a key derived from the previous token (leeway replay). */
  successorBox: Buffer | null;
  createdAt: number;
  rotatedAt: number | null;
  lastExchangedAt: number | null;
  idleExpiresAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedReason: string | null;
  device: Device;
  metadata: Metadata;
  /** Custom claims put into every access token of the family (set at issuance, replaced by the token hook). */
  claims: Claims;
  /**
   * The custom claims of the access token answered with the current token, when a token hook shaped them and a
   * leeway retry may ask again (beside `successorBox`): the retry gets the same claims without a second hook call.
   */
  successorClaims: Claims | null;
  /**
   * RFC 9449 §5: the thumbprint of the DPoP key a public client's family is bound to, from its first token on;
   * every exchange must then carry a proof made with that key. Null: not bound.
   */
  dpopJkt: string | null;
}

export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
  authenticatedAt: number;
  lastInteractedAt: number;
  idleExpiresAt: number | null;
  expiresAt: number | null;
  device: Device;
  clients: string[];
  metadata: Metadata;
}

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  /**
   * When the key begins signing. It is in the JWKS from `createdAt`, so a rotation publishes the new key first and
   * signs with it only once verifiers' cached key sets have had time to pick it up. Null for a key with nothing to
   * take over from (the first of its algorithm, or one stored before activation times existed): it signs whatever
   * an instance's clock says, so an instance whose clock is behind the one that made it still has a signer.
   */
  activatesAt: number | null;
  /** When a newer key takes over (possibly in the future); the key still verifies until `verifyUntil`. */
  retiredAt: number | null;
  verifyUntil: number | null;
}

/** The scopes of Auth0's Management API that refreshd implements. */
export const MANAGEMENT_SCOPES = [
  'read:refresh_tokens',
  'update:refresh_tokens',
  'delete:refresh_tokens',
  'read:sessions',
  'update:sessions',
  'delete:sessions',
  'read:logs',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:client_keys',
  'update:client_keys',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
] as const;

/** OpenID Connect scopes a user token may always carry, whatever the API defines. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
