import { createHash } from 'node:crypto';
import type { ProofOfPossessionPolicy, ResourceServer, SigningAlg } from '../core/types.js';
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS } from '../oauth/defaults.js';
import { audit, type Actor, type AdminDeps } from './deps.js';
import { conflict, invalidBody, managedByFile, resourceServerNotFound, systemResourceServer } from './errors.js';
import { offsetPage, type OffsetPage, type OffsetPageRequest } from './paging.js';

/**
 * APIs (resource servers): list, get by id or identifier, create, update, delete, for the Management API and the
 * CLI alike. The built-in Management API is listed but never changed.
 */

/**
 * Auth0's `id` of an API. refreshd keys APIs by identifier, so the id is derived from it (24 hex digits, the
 * shape of Auth0's ids): stable across instances and restarts, with nothing more to store.
 */
export function resourceServerId(identifier: string): string {
  return createHash('sha256').update(identifier).digest('hex').slice(0, 24);
}

export interface ResourceServerInput {
  name?: string | undefined;
  scopes?: string[] | undefined;
  allowOfflineAccess?: boolean | undefined;
  tokenLifetimeSeconds?: number | undefined;
  signingAlg?: SigningAlg | undefined;
  /** Auth0's proof_of_possession (DPoP); null removes it. */
  proofOfPossession?: ProofOfPossessionPolicy | null | undefined;
}

export interface CreateResourceServerInput extends ResourceServerInput {
  identifier: string;
}

export async function listResourceServers(
  deps: AdminDeps,
  page: OffsetPageRequest,
  keep: (rs: ResourceServer) => boolean = () => true,
): Promise<OffsetPage<ResourceServer>> {
  return offsetPage((await deps.store.listResourceServers()).filter(keep), page);
}

/** By Auth0 id or by identifier (audience), as Auth0's GET /resource-servers/{id} accepts both. */
export async function getResourceServer(deps: AdminDeps, idOrIdentifier: string): Promise<ResourceServer> {
  const byIdentifier = await deps.store.findResourceServer(idOrIdentifier);
  if (byIdentifier) return byIdentifier;
  if (/^[0-9a-f]{24}$/.test(idOrIdentifier)) {
    const found = (await deps.store.listResourceServers()).find((rs) => resourceServerId(rs.identifier) === idOrIdentifier);
    if (found) return found;
  }
  throw resourceServerNotFound();
}

function checkScopes(scopes: readonly string[]): void {
  if (new Set(scopes).size !== scopes.length) throw invalidBody('scopes: a scope value appears twice.');
}

export async function createResourceServer(deps: AdminDeps, actor: Actor, input: CreateResourceServerInput): Promise<ResourceServer> {
  if (input.identifier === deps.managementAudience) throw systemResourceServer();
  const scopes = [...(input.scopes ?? [])];
  checkScopes(scopes);
  const rs: ResourceServer = {
    identifier: input.identifier,
    name: input.name ?? input.identifier,
    scopes,
    allowOfflineAccess: input.allowOfflineAccess ?? false,
    tokenLifetimeSeconds: input.tokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
    signingAlg: input.signingAlg ?? 'RS256',
    isSystem: false,
    proofOfPossession: input.proofOfPossession ?? null,
  };
  if (!(await deps.store.insertResourceServer(rs))) throw conflict(`A resource server with identifier ${input.identifier} already exists.`);
  deps.changed();
  audit(deps, actor, 'Create a resource server', { identifier: rs.identifier });
  return rs;
}

async function changeable(deps: AdminDeps, idOrIdentifier: string): Promise<ResourceServer> {
  const existing = await getResourceServer(deps, idOrIdentifier);
  if (existing.isSystem || existing.identifier === deps.managementAudience) throw systemResourceServer();
  if (deps.fileManaged.resourceServer(existing.identifier)) throw managedByFile(`Resource server ${existing.identifier}`);
  return existing;
}

/**
 * Changes the fields given, from the next token on. A scope removed here is no longer granted by new issuance;
 * grants that name it keep the name, and refresh tokens issued with it keep it (revoke them to take it back).
 */
export async function updateResourceServer(deps: AdminDeps, actor: Actor, idOrIdentifier: string, input: ResourceServerInput): Promise<ResourceServer> {
  const existing = await changeable(deps, idOrIdentifier);
  const rs: ResourceServer = {
    ...existing,
    name: input.name ?? existing.name,
    scopes: input.scopes ? [...input.scopes] : existing.scopes,
    allowOfflineAccess: input.allowOfflineAccess ?? existing.allowOfflineAccess,
    tokenLifetimeSeconds: input.tokenLifetimeSeconds ?? existing.tokenLifetimeSeconds,
    signingAlg: input.signingAlg ?? existing.signingAlg,
    proofOfPossession: input.proofOfPossession === undefined ? existing.proofOfPossession : input.proofOfPossession,
  };
  checkScopes(rs.scopes);
  await deps.store.upsertResourceServer(rs);
  deps.changed();
  audit(deps, actor, 'Update a resource server', { identifier: rs.identifier, fields: Object.keys(input).filter((k) => input[k as keyof ResourceServerInput] !== undefined) });
  return rs;
}

/** Deletes an API and its client grants; refresh tokens for it can no longer be exchanged (the API is unknown). */
export async function deleteResourceServer(deps: AdminDeps, actor: Actor, idOrIdentifier: string): Promise<void> {
  const existing = await changeable(deps, idOrIdentifier);
  await deps.store.deleteResourceServer(existing.identifier);
  deps.changed();
  audit(deps, actor, 'Delete a resource server', { identifier: existing.identifier });
}
