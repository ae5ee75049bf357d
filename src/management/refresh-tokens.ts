import { isLiveFamily } from '../core/liveness.js';
import type { TokenFamily } from '../core/types.js';
import type { FamilyFilter } from '../ports/store.js';
import { readPage, type Page } from './checkpoint.js';
import { audit, type Caller, type ManagementDeps } from './deps.js';
import { invalidBody, refreshTokenNotFound } from './errors.js';
import { parseMetadata } from './metadata.js';

/**
 * The refresh-token use cases of the Management API. A refresh token here is a token family: its id is the
 * family id, and a revoked or expired family does not exist as far as this API is concerned (revoked rows are
 * kept only so reuse of their tokens can still be detected).
 */

const REVOKED_REASON = 'management_api';


export async function getRefreshToken(deps: ManagementDeps, id: string): Promise<TokenFamily> {
  const family = await deps.store.findFamily(id);
  if (!family || !isLiveFamily(family, deps.clock.now())) throw refreshTokenNotFound();
  return family;
}

/** PATCH: replaces the metadata whole; null or {} clears it. */
export async function updateRefreshToken(deps: ManagementDeps, caller: Caller, id: string, metadata: unknown): Promise<TokenFamily> {
  const parsed = parseMetadata('refresh_token_metadata', metadata);
  const updated = await deps.store.updateFamilyMetadata(id, parsed, deps.clock.now());
  if (!updated) throw refreshTokenNotFound();
  audit(deps, caller, 'Update a refresh token', { refresh_token_id: id, metadata_keys: Object.keys(parsed).length }, updated.userId);
  return updated;
}

/**
 * DELETE revokes the family at once. Auth0 documents no 404 for this endpoint and the SDK maps none: deleting an
 * id that does not exist (or no longer does) is accepted like any other, which keeps the call idempotent and
 * safe to retry. The result says whether this call revoked anything, for the audit event.
 */
export async function deleteRefreshToken(deps: ManagementDeps, caller: Caller, id: string): Promise<boolean> {
  // Read only to name the user in the audit event, so the revocation appears among that user's logs (user_id
  // filter) as the other writes do; the revocation itself is the one atomic statement below.
  const owner = (await deps.store.findFamily(id))?.userId ?? null;
  const revoked = await deps.store.revokeFamily(id, deps.clock.now(), REVOKED_REASON);
  audit(deps, caller, 'Delete a refresh token', { refresh_token_id: id, revoked }, owner);
  return revoked;
}

export interface ListRefreshTokensInput {
  userId: string;
  clientId?: string | undefined;
  from?: string | undefined;
  take?: number | undefined;
}

/** GET /refresh-tokens: a user's live tokens, optionally of one client, in creation order. */
export function listRefreshTokens(deps: ManagementDeps, input: ListRefreshTokensInput): Promise<Page<TokenFamily>> {
  const filter: FamilyFilter = input.clientId === undefined ? { userId: input.userId } : { userId: input.userId, clientId: input.clientId };
  return readPage(deps.checkpoints, ['refresh-tokens', input.userId, input.clientId ?? null], input, (page) =>
    deps.store.listFamilies(filter, page, deps.clock.now()),
  );
}

export interface UserRefreshTokensInput {
  userId: string;
  from?: string | undefined;
  take?: number | undefined;
  includeTotals?: boolean | undefined;
}

/** GET /users/{user_id}/refresh-tokens; `total` counts every live token of the user, not just this page. */
export async function listUserRefreshTokens(deps: ManagementDeps, input: UserRefreshTokensInput): Promise<Page<TokenFamily> & { total?: number }> {
  const filter: FamilyFilter = { userId: input.userId };
  const page = await readPage(deps.checkpoints, ['user-refresh-tokens', input.userId], input, (p) =>
    deps.store.listFamilies(filter, p, deps.clock.now()),
  );
  if (!input.includeTotals) return page;
  return { ...page, total: await deps.store.countFamilies(filter, deps.clock.now()) };
}

/** DELETE /users/{user_id}/refresh-tokens. There is no user directory here, so an unknown user simply has none. */
export async function deleteUserRefreshTokens(deps: ManagementDeps, caller: Caller, userId: string): Promise<number> {
  const revoked = await deps.store.revokeFamilies({ userId }, deps.clock.now(), REVOKED_REASON);
  audit(deps, caller, 'Delete refresh tokens for a user', { user_id: userId, revoked }, userId);
  return revoked;
}

export interface RevokeRefreshTokensInput {
  ids?: string[] | undefined;
  user_id?: string | undefined;
  client_id?: string | undefined;
  audience?: string | undefined;
}

/**
 * POST /refresh-tokens/revoke. Exactly one of: `ids`; `user_id`; `user_id` + `client_id`; `user_id` + `client_id`
 * + `audience`. Ids that do not exist are ignored, as for DELETE.
 */
export async function revokeRefreshTokens(deps: ManagementDeps, caller: Caller, input: RevokeRefreshTokensInput): Promise<number> {
  const { ids, user_id: userId, client_id: clientId, audience } = input;
  let filter: FamilyFilter;
  if (ids !== undefined) {
    if (userId !== undefined || clientId !== undefined || audience !== undefined) throw invalidBody('Invalid combination of parameters.');
    if (ids.length === 0) throw invalidBody('Invalid combination of parameters.');
    filter = { ids: [...new Set(ids)] };
  } else {
    if (userId === undefined) throw invalidBody('Invalid combination of parameters.');
    if (audience !== undefined && clientId === undefined) throw invalidBody('Invalid combination of parameters.');
    filter = { userId, ...(clientId !== undefined ? { clientId } : {}), ...(audience !== undefined ? { audience } : {}) };
  }
  const revoked = await deps.store.revokeFamilies(filter, deps.clock.now(), REVOKED_REASON);
  audit(
    deps,
    caller,
    'Revoke refresh tokens',
    { ...(ids !== undefined ? { refresh_token_ids: filter.ids } : { user_id: userId, client_id: clientId ?? null, audience: audience ?? null }), revoked },
    userId ?? null,
  );
  return revoked;
}
