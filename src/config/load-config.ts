import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { refreshTokenProtectionProblem } from '../core/refresh-token-protection.js';
import { MANAGEMENT_SCOPES, TOKEN_EXCHANGE_GRANT, type GrantSubjectType, type RefreshTokenSettings, type ResourceServer, type SigningAlg, type TokenEndpointAuthMethod } from '../core/types.js';
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, DEFAULT_GRANT_TYPES, DEFAULT_REFRESH_TOKEN_SETTINGS } from '../oauth/defaults.js';
import { originProblem } from './origins.js';
import { FileConfigSchema, type FileConfig, type RefreshTokenConfig, type TokenHookConfig } from './file-schema.js';
import { webhookSecretProblem } from '../events/standard-webhooks.js';
import { validateOrThrow } from './validate.js';

export interface ClientDefinition {
  clientId: string;
  name: string;
  /** The plain secret from the file; only its digest is stored. */
  clientSecret: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: string[];
  isTokenEndpointIpHeaderTrusted: boolean;
  refreshToken: RefreshTokenSettings;
  webOrigins: string[];
  tokenExchangeTargetClients: string[];
  requireProofOfPossession: boolean;
  requireDpopNonce: boolean | null;
}

export interface GrantDefinition {
  clientId: string;
  audience: string;
  scope: string[];
  subjectType: GrantSubjectType;
}

/** A configuration file after validation and defaults: what `applyConfig` writes. */
export interface NormalizedConfig {
  clients: ClientDefinition[];
  resourceServers: ResourceServer[];
  clientGrants: GrantDefinition[];
  /** The file's `token_hook` as written (the server lays REFRESHD_TOKEN_HOOK_* over it: config/token-hook-config.ts). */
  tokenHook?: TokenHookConfig | undefined;
}

export const EMPTY_CONFIG: NormalizedConfig = { clients: [], resourceServers: [], clientGrants: [] };

/** Auth0's fill-in rules: infinite lifetimes default to true only for non-expiring tokens. */
export function refreshTokenSettings(rt: RefreshTokenConfig | null | undefined): RefreshTokenSettings {
  if (!rt) return { ...DEFAULT_REFRESH_TOKEN_SETTINGS };
  const d = DEFAULT_REFRESH_TOKEN_SETTINGS;
  const expirationType = rt.expiration_type ?? d.expirationType;
  const expiring = expirationType === 'expiring';
  return {
    rotationType: rt.rotation_type ?? d.rotationType,
    expirationType,
    leewaySeconds: rt.leeway ?? d.leewaySeconds,
    tokenLifetimeSeconds: rt.token_lifetime ?? d.tokenLifetimeSeconds,
    infiniteTokenLifetime: rt.infinite_token_lifetime ?? !expiring,
    idleTokenLifetimeSeconds: rt.idle_token_lifetime ?? d.idleTokenLifetimeSeconds,
    infiniteIdleTokenLifetime: rt.infinite_idle_token_lifetime ?? !expiring,
    policies: rt.policies ?? null,
  };
}

/**
 * Validates a parsed configuration file and fills in defaults. `managementAudience` is the built-in Management
 * API, which grants may name but which cannot be redefined. Errors are one line naming the field.
 */
export function normalizeConfig(raw: unknown, managementAudience: string, where = 'config'): NormalizedConfig {
  const file = validateOrThrow<FileConfig>(FileConfigSchema, raw, where);
  const fail = (path: string, msg: string) => new ConfigError(`${where} ${path}: ${msg}`);

  const resourceServers: ResourceServer[] = [];
  const apiScopes = new Map<string, string[]>([[managementAudience, [...MANAGEMENT_SCOPES]]]);
  (file.resource_servers ?? []).forEach((rs, i) => {
    if (apiScopes.has(rs.identifier)) {
      throw fail(`/resource_servers/${i}/identifier`, rs.identifier === managementAudience ? 'the Management API is built in and cannot be redefined' : `duplicate identifier "${rs.identifier}"`);
    }
    const scopes = (rs.scopes ?? []).map((s) => s.value);
    apiScopes.set(rs.identifier, scopes);
    resourceServers.push({
      identifier: rs.identifier,
      name: rs.name ?? rs.identifier,
      scopes,
      allowOfflineAccess: rs.allow_offline_access ?? false,
      tokenLifetimeSeconds: rs.token_lifetime ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
      signingAlg: (rs.signing_alg ?? 'RS256') as SigningAlg,
      isSystem: false,
      proofOfPossession: rs.proof_of_possession
        ? { mechanism: 'dpop', required: rs.proof_of_possession.required, requiredFor: rs.proof_of_possession.required_for ?? 'all_clients' }
        : null,
    });
  });

  const clients: ClientDefinition[] = [];
  const seen = new Set<string>();
  (file.clients ?? []).forEach((c, i) => {
    const at = `/clients/${i}`;
    if (seen.has(c.client_id)) throw fail(`${at}/client_id`, `duplicate client_id "${c.client_id}"`);
    seen.add(c.client_id);
    const method = c.token_endpoint_auth_method ?? 'client_secret_post';
    if (method === 'none' && c.client_secret !== undefined) throw fail(`${at}/client_secret`, 'a public client (token_endpoint_auth_method none) has no secret');
    if (method !== 'none' && c.client_secret === undefined) throw fail(`${at}/client_secret`, `required when token_endpoint_auth_method is ${method}`);
    // Anyone can speak as a public client, so its word on the end user's IP is worth nothing (Auth0 allows the
    // setting only for applications that authenticate).
    if (method === 'none' && c.is_token_endpoint_ip_header_trusted === true) {
      throw fail(`${at}/is_token_endpoint_ip_header_trusted`, 'a public client (token_endpoint_auth_method none) cannot be trusted to set the end user\'s IP');
    }
    const refreshToken = refreshTokenSettings(c.refresh_token);
    const webOrigins = c.web_origins ?? [];
    webOrigins.forEach((origin, j) => {
      const problem = originProblem(origin);
      if (problem) throw fail(`${at}/web_origins/${j}`, problem);
    });
    if (
      refreshToken.expirationType === 'expiring' &&
      !refreshToken.infiniteTokenLifetime &&
      !refreshToken.infiniteIdleTokenLifetime &&
      refreshToken.idleTokenLifetimeSeconds > refreshToken.tokenLifetimeSeconds
    ) {
      throw fail(`${at}/refresh_token/idle_token_lifetime`, 'must not exceed token_lifetime');
    }
    const grantTypes = [...(c.grant_types ?? DEFAULT_GRANT_TYPES)];
    const unprotected = refreshTokenProtectionProblem({ tokenEndpointAuthMethod: method, grantTypes, refreshToken });
    if (unprotected) {
      // Auth0's default is non-rotating, so a public client without a refresh_token block lands here too.
      throw c.refresh_token
        ? fail(`${at}/refresh_token/rotation_type`, `${unprotected}: set "rotation_type": "rotating" (or drop refresh_token from grant_types)`)
        : fail(`${at}/refresh_token`, `${unprotected}; the default is non-rotating: add "refresh_token": { "rotation_type": "rotating" } (or drop refresh_token from grant_types)`);
    }
    (refreshToken.policies ?? []).forEach((p, j) => {
      if (p.audience === managementAudience) throw fail(`${at}/refresh_token/policies/${j}/audience`, 'the Management API cannot be in a refresh-token policy');
    });
    clients.push({
      clientId: c.client_id,
      name: c.name ?? c.client_id,
      clientSecret: c.client_secret ?? null,
      tokenEndpointAuthMethod: method,
      grantTypes,
      isTokenEndpointIpHeaderTrusted: c.is_token_endpoint_ip_header_trusted ?? false,
      refreshToken,
      webOrigins,
      tokenExchangeTargetClients: [...(c.token_exchange_target_clients ?? [])],
      requireProofOfPossession: c.require_proof_of_possession ?? false,
      requireDpopNonce: c.require_dpop_nonce ?? null,
    });
  });
  // A target must be a public client: a confidential one obtains its own tokens.
  (file.clients ?? []).forEach((c, i) => {
    (c.token_exchange_target_clients ?? []).forEach((id, j) => {
      const target = clients.find((d) => d.clientId === id);
      if (target && target.tokenEndpointAuthMethod !== 'none') {
        throw fail(`/clients/${i}/token_exchange_target_clients/${j}`, `"${id}" is a confidential client; only public clients can be token-exchange targets`);
      }
    });
  });

  const clientGrants: GrantDefinition[] = [];
  const grantKeys = new Set<string>();
  (file.client_grants ?? []).forEach((g, i) => {
    const at = `/client_grants/${i}`;
    const scopes = apiScopes.get(g.audience);
    if (!scopes) {
      const hint = /\/api\/v2\/?$/.test(g.audience) ? ` (the Management API here is "${managementAudience}")` : '';
      throw fail(`${at}/audience`, `unknown API "${g.audience}"${hint}`);
    }
    const subjectType = g.subject_type ?? 'client';
    if (subjectType === 'user' && g.audience === managementAudience) {
      throw fail(`${at}/subject_type`, 'the Management API issues no user tokens; its grants are subject_type client');
    }
    const key = `${subjectType}\n${g.client_id}\n${g.audience}`;
    if (grantKeys.has(key)) throw fail(at, `duplicate ${subjectType} grant for ${g.client_id} and ${g.audience}`);
    grantKeys.add(key);
    const unknown = (g.scope ?? []).filter((s) => !scopes.includes(s));
    if (unknown.length) throw fail(`${at}/scope`, `not defined on ${g.audience}: ${unknown.join(', ')}`);
    clientGrants.push({ clientId: g.client_id, audience: g.audience, scope: [...(g.scope ?? [])], subjectType });
  });

  checkTokenExchangeScoping(file, clients, clientGrants, fail);

  if (file.token_hook?.secret !== undefined) {
    const problem = webhookSecretProblem(file.token_hook.secret);
    if (problem) throw fail('/token_hook/secret', problem);
  }
  return { clients, resourceServers, clientGrants, ...(file.token_hook ? { tokenHook: file.token_hook } : {}) };
}

/**
 * Token exchange is scoped (issue 11, finding 4): a client exchanges only for the APIs and scopes of its
 * `subject_type: user` grants, and names as `target_client_id` only the public clients it lists. A file written
 * before that relied on the grant reaching everything, so such a file fails here with what to add, rather than
 * starting and refusing exchanges at run time.
 */
function checkTokenExchangeScoping(file: FileConfig, clients: ClientDefinition[], grants: GrantDefinition[], fail: (path: string, msg: string) => ConfigError): void {
  const listed = new Set(clients.flatMap((c) => c.tokenExchangeTargetClients));
  const unlisted = clients.filter((c) => c.tokenEndpointAuthMethod === 'none' && c.grantTypes.includes('refresh_token') && !listed.has(c.clientId));
  clients.forEach((c, i) => {
    if (!c.grantTypes.includes(TOKEN_EXCHANGE_GRANT)) return;
    if (!grants.some((g) => g.clientId === c.clientId && g.subjectType === 'user')) {
      throw fail(
        `/clients/${i}/grant_types`,
        `token exchange is limited to the APIs and scopes of the client's user grants, and ${c.clientId} has none: add to client_grants ` +
          `{ "client_id": "${c.clientId}", "audience": "<API>", "scope": [<scopes>], "subject_type": "user" } for each API it exchanges for`,
      );
    }
    if (file.clients?.[i]?.token_exchange_target_clients === undefined && unlisted.length > 0) {
      throw fail(
        `/clients/${i}/token_exchange_target_clients`,
        `token exchange names as target_client_id only the public clients listed here; add "token_exchange_target_clients": ` +
          `[${unlisted.map((u) => `"${u.clientId}"`).join(', ')}] (those ${c.clientId} logs users into), or [] for none`,
      );
    }
  });
}

/** Reads and normalizes the JSON configuration file at `path`. */
export function loadConfigFile(path: string, managementAudience: string): NormalizedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`REFRESHD_CONFIG: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`REFRESHD_CONFIG: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return normalizeConfig(raw, managementAudience, path);
}
