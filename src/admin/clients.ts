import { randomClientId, randomSecret } from '../core/ids.js';
import { isPublicClient, refreshTokenProtectionProblem } from '../core/refresh-token-protection.js';
import type { Client, RefreshTokenSettings, TokenEndpointAuthMethod } from '../core/types.js';
import { originProblem } from '../config/origins.js';
import { DEFAULT_GRANT_TYPES, DEFAULT_REFRESH_TOKEN_SETTINGS } from '../oauth/defaults.js';
import { sha256 } from '../tokens/refresh-token.js';
import { audit, type Actor, type AdminDeps } from './deps.js';
import { clientNotFound, invalidBody, managedByFile } from './errors.js';
import { offsetPage, type OffsetPage, type OffsetPageRequest } from './paging.js';

/**
 * Clients (applications): list, get, create, update, delete and rotate-secret, for the Management API and the
 * CLI alike. Only a digest of a secret is stored, so a secret is shown once: in the answer to create or rotate.
 */

/** A client's `refresh_token` as given: any subset; `null` resets it to the defaults. */
export type RefreshTokenInput = Partial<RefreshTokenSettings>;

export interface ClientInput {
  name?: string | undefined;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  grantTypes?: string[] | undefined;
  isTokenEndpointIpHeaderTrusted?: boolean | undefined;
  refreshToken?: RefreshTokenInput | null | undefined;
  webOrigins?: string[] | undefined;
  tokenExchangeTargetClients?: string[] | undefined;
  requireProofOfPossession?: boolean | undefined;
  /** null: the default (required from public clients). */
  requireDpopNonce?: boolean | null | undefined;
}

export interface CreateClientInput extends ClientInput {
  name: string;
  /** A secret of the caller's choosing (at least 32 characters); one is generated when absent. */
  clientSecret?: string | undefined;
}

/** A client with the secret it was just given (create, rotate-secret): the only time the secret is seen. */
export interface ClientWithSecret {
  client: Client;
  clientSecret: string | null;
}

/**
 * Auth0's fill-in rules for `refresh_token`: given fields over `base`; the infinite_* flags follow
 * expiration_type unless given (true for non-expiring tokens).
 */
export function mergeRefreshToken(base: RefreshTokenSettings, given: RefreshTokenInput | null | undefined): RefreshTokenSettings {
  if (given === null) return { ...DEFAULT_REFRESH_TOKEN_SETTINGS };
  if (given === undefined) return base;
  const merged = { ...base, ...stripUndefined(given) };
  if (given.expirationType !== undefined) {
    const expiring = given.expirationType === 'expiring';
    if (given.infiniteTokenLifetime === undefined) merged.infiniteTokenLifetime = !expiring;
    if (given.infiniteIdleTokenLifetime === undefined) merged.infiniteIdleTokenLifetime = !expiring;
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The same rules the configuration file enforces (config/load-config.ts), as one 400 naming the field. */
async function checkClient(deps: AdminDeps, c: Client): Promise<void> {
  if (isPublicClient(c) && c.isTokenEndpointIpHeaderTrusted) {
    throw invalidBody("is_token_endpoint_ip_header_trusted: a public client (token_endpoint_auth_method none) cannot be trusted to set the end user's IP.");
  }
  for (const origin of c.webOrigins) {
    const problem = originProblem(origin);
    if (problem) throw invalidBody(`web_origins: "${origin.slice(0, 100)}" ${problem}.`);
  }
  const rt = c.refreshToken;
  if (rt.expirationType === 'expiring' && !rt.infiniteTokenLifetime && !rt.infiniteIdleTokenLifetime && rt.idleTokenLifetimeSeconds > rt.tokenLifetimeSeconds) {
    throw invalidBody('refresh_token.idle_token_lifetime: must not exceed token_lifetime.');
  }
  const unprotected = refreshTokenProtectionProblem(c);
  if (unprotected) throw invalidBody(`refresh_token.rotation_type: ${unprotected}; set "rotating" (or drop refresh_token from grant_types).`);
  for (const p of rt.policies ?? []) {
    if (p.audience === deps.managementAudience) throw invalidBody('refresh_token.policies: the Management API cannot be in a refresh-token policy.');
  }
  for (const id of c.tokenExchangeTargetClients) {
    const target = id === c.clientId ? c : await deps.store.findClient(id);
    if (target && !isPublicClient(target)) {
      throw invalidBody(`token_exchange_target_clients: "${id}" is a confidential client; only public clients can be token-exchange targets.`);
    }
  }
}

/** One page of the clients that `keep` selects (all by default), ordered by creation. */
export async function listClients(deps: AdminDeps, page: OffsetPageRequest, keep: (c: Client) => boolean = () => true): Promise<OffsetPage<Client>> {
  return offsetPage((await deps.store.listClients()).filter(keep), page);
}

export async function getClient(deps: AdminDeps, clientId: string): Promise<Client> {
  const client = await deps.store.findClient(clientId);
  if (!client) throw clientNotFound();
  return client;
}

export async function createClient(deps: AdminDeps, actor: Actor, input: CreateClientInput): Promise<ClientWithSecret> {
  const method = input.tokenEndpointAuthMethod ?? 'client_secret_post';
  const publicClient = method === 'none';
  if (input.clientSecret !== undefined && input.clientSecret.length < 32) throw invalidBody('client_secret: at least 32 characters.');
  if (publicClient && input.clientSecret !== undefined) throw invalidBody('client_secret: a public client (token_endpoint_auth_method none) has no secret.');
  const secret = publicClient ? null : (input.clientSecret ?? randomSecret());
  // A public client's refresh tokens must rotate, so that is its default (as Auth0 does for SPAs); others get Auth0's.
  const base = publicClient ? { ...DEFAULT_REFRESH_TOKEN_SETTINGS, rotationType: 'rotating' as const } : { ...DEFAULT_REFRESH_TOKEN_SETTINGS };
  const now = deps.clock.now();
  const client: Client = {
    clientId: randomClientId(),
    name: input.name,
    secretHash: secret === null ? null : sha256(secret),
    tokenEndpointAuthMethod: method,
    grantTypes: [...(input.grantTypes ?? DEFAULT_GRANT_TYPES)],
    isTokenEndpointIpHeaderTrusted: input.isTokenEndpointIpHeaderTrusted ?? false,
    refreshToken: mergeRefreshToken(base, input.refreshToken),
    webOrigins: [...(input.webOrigins ?? [])],
    tokenExchangeTargetClients: [...(input.tokenExchangeTargetClients ?? [])],
    requireProofOfPossession: input.requireProofOfPossession ?? false,
    requireDpopNonce: input.requireDpopNonce ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await checkClient(deps, client);
  await deps.store.upsertClient(client);
  deps.changed();
  audit(deps, actor, 'Create a client', { client_id: client.clientId });
  return { client, clientSecret: secret };
}

export async function updateClient(deps: AdminDeps, actor: Actor, clientId: string, input: ClientInput): Promise<Client> {
  const existing = await getClient(deps, clientId);
  if (deps.fileManaged.client(clientId)) throw managedByFile(`Client ${clientId}`);
  const method = input.tokenEndpointAuthMethod ?? existing.tokenEndpointAuthMethod;
  if (isPublicClient({ tokenEndpointAuthMethod: method }) !== isPublicClient(existing)) {
    // A secret would have to appear or vanish: a different kind of application, so a new client.
    throw invalidBody('token_endpoint_auth_method: a client cannot change between public (none) and confidential; create a new client.');
  }
  const client: Client = {
    ...existing,
    name: input.name ?? existing.name,
    tokenEndpointAuthMethod: method,
    grantTypes: input.grantTypes ? [...input.grantTypes] : existing.grantTypes,
    isTokenEndpointIpHeaderTrusted: input.isTokenEndpointIpHeaderTrusted ?? existing.isTokenEndpointIpHeaderTrusted,
    refreshToken: mergeRefreshToken(existing.refreshToken, input.refreshToken),
    webOrigins: input.webOrigins ? [...input.webOrigins] : existing.webOrigins,
    tokenExchangeTargetClients: input.tokenExchangeTargetClients ? [...input.tokenExchangeTargetClients] : existing.tokenExchangeTargetClients,
    requireProofOfPossession: input.requireProofOfPossession ?? existing.requireProofOfPossession,
    requireDpopNonce: input.requireDpopNonce === undefined ? existing.requireDpopNonce : input.requireDpopNonce,
    updatedAt: deps.clock.now(),
  };
  await checkClient(deps, client);
  await deps.store.upsertClient(client);
  deps.changed();
  audit(deps, actor, 'Update a client', { client_id: clientId, fields: Object.keys(stripUndefined(input)) });
  return client;
}

/**
 * Deletes a client: its refresh-token families are revoked first (so a retry after a failure still finds the
 * client), then the client and its grants go. Tokens it holds are refused at once on this instance, and on the
 * others within their cache window. Returns how many families were revoked.
 */
export async function deleteClient(deps: AdminDeps, actor: Actor, clientId: string): Promise<{ revoked: number }> {
  await getClient(deps, clientId);
  if (deps.fileManaged.client(clientId)) throw managedByFile(`Client ${clientId}`);
  const now = deps.clock.now();
  const revoked = await deps.store.revokeClientFamilies(clientId, now, 'client_deleted');
  await deps.store.deleteClient(clientId);
  deps.changed();
  audit(deps, actor, 'Delete a client', { client_id: clientId, revoked });
  return { revoked };
}

/**
 * Replaces a confidential client's secret; the old one stops working at once here, within the cache window
 * elsewhere. With `revokeTokens` (a leaked credential), what it already obtained goes too: its refresh-token
 * families are revoked, and its Management API access tokens issued before this second are refused.
 */
export async function rotateClientSecret(deps: AdminDeps, actor: Actor, clientId: string, options: { revokeTokens?: boolean } = {}): Promise<ClientWithSecret & { revoked: number }> {
  const existing = await getClient(deps, clientId);
  if (deps.fileManaged.client(clientId)) throw managedByFile(`Client ${clientId}`);
  if (isPublicClient(existing)) throw invalidBody(`Client ${clientId} is a public client and has no secret.`);
  const secret = randomSecret();
  const now = deps.clock.now();
  // `iat` has whole seconds: tokens of this second stay valid, or the new secret's first token could be refused.
  const cutOff = options.revokeTokens ? Math.floor(now / 1000) * 1000 : undefined;
  await deps.store.setClientSecretHash(clientId, sha256(secret), now, cutOff);
  const revoked = options.revokeTokens ? await deps.store.revokeClientFamilies(clientId, now, 'client_secret_rotated') : 0;
  deps.changed();
  audit(deps, actor, 'Rotate a client secret', { client_id: clientId, ...(options.revokeTokens ? { revoke_tokens: true, revoked } : {}) });
  const client = { ...existing, secretHash: sha256(secret), updatedAt: now, ...(cutOff !== undefined ? { tokensValidAfter: cutOff } : {}) };
  return { client, clientSecret: secret, revoked };
}
