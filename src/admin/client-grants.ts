import { randomId } from '../core/ids.js';
import type { ClientGrant, GrantSubjectType } from '../core/types.js';
import { audit, type Actor, type AdminDeps } from './deps.js';
import { clientGrantNotFound, clientNotFound, conflict, invalidBody, managedByFile, resourceServerNotFound } from './errors.js';

/**
 * Client grants: what a client may obtain from an API, for itself (`subject_type: client`, client credentials) or
 * for the users it vouches for (`user`, token exchange; the table user_client_grants of 6e3a785). For the
 * Management API and the CLI alike, with the configuration file's rules.
 */

export interface ClientGrantFilter {
  clientId?: string | undefined;
  audience?: string | undefined;
  subjectType?: GrantSubjectType | undefined;
}

export interface CreateClientGrantInput {
  clientId: string;
  audience: string;
  scope: string[];
  subjectType?: GrantSubjectType | undefined;
}

/** Every grant matching the filter, ordered by id (the order checkpoint paging walks). */
export async function listClientGrants(deps: AdminDeps, filter: ClientGrantFilter): Promise<ClientGrant[]> {
  const all = await deps.store.listClientGrants();
  return all
    .filter((g) => (filter.clientId === undefined || g.clientId === filter.clientId) && (filter.audience === undefined || g.audience === filter.audience))
    .filter((g) => filter.subjectType === undefined || g.subjectType === filter.subjectType)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function getClientGrant(deps: AdminDeps, id: string): Promise<ClientGrant> {
  const grant = await deps.store.findClientGrantById(id);
  if (!grant) throw clientGrantNotFound();
  return grant;
}

/** The scopes must be the API's own (the Management API's: the scopes refreshd implements). */
async function checkScope(deps: AdminDeps, audience: string, scope: readonly string[]): Promise<void> {
  const api = await deps.store.findResourceServer(audience);
  if (!api) throw resourceServerNotFound();
  const unknown = scope.filter((s) => !api.scopes.includes(s));
  if (unknown.length) throw invalidBody(`scope: not defined on ${audience}: ${unknown.slice(0, 10).join(', ')}.`);
  if (new Set(scope).size !== scope.length) throw invalidBody('scope: a scope appears twice.');
}

export async function createClientGrant(deps: AdminDeps, actor: Actor, input: CreateClientGrantInput): Promise<ClientGrant> {
  const subjectType = input.subjectType ?? 'client';
  if (!(await deps.store.findClient(input.clientId))) throw clientNotFound();
  if (subjectType === 'user' && input.audience === deps.managementAudience) {
    throw invalidBody('subject_type: the Management API issues no user tokens; its grants are subject_type client.');
  }
  await checkScope(deps, input.audience, input.scope);
  const grant: ClientGrant = { id: randomId(), clientId: input.clientId, audience: input.audience, scope: [...input.scope], subjectType };
  if (!(await deps.store.insertClientGrant(grant))) {
    throw conflict(`A client grant for client ${input.clientId} and audience ${input.audience} (subject_type ${subjectType}) already exists.`);
  }
  deps.changed();
  audit(deps, actor, 'Create a client grant', { id: grant.id, client_id: grant.clientId, audience: grant.audience, subject_type: subjectType });
  return grant;
}

async function changeable(deps: AdminDeps, id: string): Promise<ClientGrant> {
  const existing = await getClientGrant(deps, id);
  if (deps.fileManaged.clientGrant(existing)) throw managedByFile(`The client grant of ${existing.clientId} for ${existing.audience}`);
  return existing;
}

/** Replaces the grant's scope, for new tokens: refresh tokens already issued keep theirs (revoke them to narrow). */
export async function updateClientGrant(deps: AdminDeps, actor: Actor, id: string, scope: string[]): Promise<ClientGrant> {
  const existing = await changeable(deps, id);
  await checkScope(deps, existing.audience, scope);
  const grant = { ...existing, scope: [...scope] };
  await deps.store.upsertClientGrant(grant);
  deps.changed();
  audit(deps, actor, 'Update a client grant', { id, client_id: grant.clientId, audience: grant.audience });
  return grant;
}

export async function deleteClientGrant(deps: AdminDeps, actor: Actor, id: string): Promise<void> {
  const existing = await changeable(deps, id);
  await deps.store.deleteClientGrant(id);
  deps.changed();
  audit(deps, actor, 'Delete a client grant', { id, client_id: existing.clientId, audience: existing.audience });
}
