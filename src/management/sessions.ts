import { isLiveSession } from '../core/liveness.js';
import type { Session } from '../core/types.js';
import { readPage, type Page } from './checkpoint.js';
import { audit, type Caller, type ManagementDeps } from './deps.js';
import { sessionNotFound } from './errors.js';
import { parseMetadata } from './metadata.js';

/**
 * The session use cases of the Management API. Deleting a session leaves its refresh tokens alone (Auth0:
 * "Refresh tokens can remain active after a session has expired or been deleted"); revoking one, or revoking a
 * user's access, also revokes the refresh tokens. Tokens are revoked before the session is deleted, so a call
 * that fails half-way (store outage) can be retried and still finds the session.
 */

const REVOKED_REASON = 'management_api';


export async function getSession(deps: ManagementDeps, id: string): Promise<Session> {
  const session = await deps.store.findSession(id);
  if (!session || !isLiveSession(session, deps.clock.now())) throw sessionNotFound();
  return session;
}

/** PATCH: replaces session_metadata whole; null or {} clears it. */
export async function updateSession(deps: ManagementDeps, caller: Caller, id: string, metadata: unknown): Promise<Session> {
  const parsed = parseMetadata('session_metadata', metadata);
  const updated = await deps.store.updateSessionMetadata(id, parsed, deps.clock.now());
  if (!updated) throw sessionNotFound();
  audit(deps, caller, 'Update a session', { session_id: id, metadata_keys: Object.keys(parsed).length }, updated.userId);
  return updated;
}

/** DELETE /sessions/{id}: idempotent like DELETE /refresh-tokens/{id} (Auth0 documents no 404 here either). */
export async function deleteSession(deps: ManagementDeps, caller: Caller, id: string): Promise<boolean> {
  const deleted = await deps.store.deleteSession(id);
  audit(deps, caller, 'Delete a session', { session_id: id, deleted }, null);
  return deleted;
}

/** POST /sessions/{id}/revoke: the session and every refresh token issued in it. 404 for an unknown session. */
export async function revokeSession(deps: ManagementDeps, caller: Caller, id: string): Promise<void> {
  const session = await getSession(deps, id);
  const revoked = await deps.store.revokeFamilies({ userId: session.userId, sessionId: id }, deps.clock.now(), REVOKED_REASON);
  await deps.store.deleteSession(id);
  audit(deps, caller, 'Revoke a session', { session_id: id, revoked_refresh_tokens: revoked }, session.userId);
}

export interface UserSessionsInput {
  userId: string;
  from?: string | undefined;
  take?: number | undefined;
  includeTotals?: boolean | undefined;
}

export async function listUserSessions(deps: ManagementDeps, input: UserSessionsInput): Promise<Page<Session> & { total?: number }> {
  const page = await readPage(deps.checkpoints, ['user-sessions', input.userId], input, (p) =>
    deps.store.listSessions(input.userId, p, deps.clock.now()),
  );
  if (!input.includeTotals) return page;
  return { ...page, total: await deps.store.countSessions(input.userId, deps.clock.now()) };
}

/** DELETE /users/{user_id}/sessions: the sessions only; their refresh tokens stay usable. */
export async function deleteUserSessions(deps: ManagementDeps, caller: Caller, userId: string): Promise<number> {
  const deleted = await deps.store.deleteSessionsOfUser(userId);
  audit(deps, caller, 'Delete sessions for a user', { user_id: userId, deleted }, userId);
  return deleted;
}

export interface RevokeAccessInput {
  sessionId?: string | undefined;
  preserveRefreshTokens?: boolean | undefined;
}

/**
 * POST /users/{user_id}/revoke-access. With `session_id`: that session of the user and (unless preserved) its
 * refresh tokens; without: every session of the user and (unless preserved) every refresh token of the user.
 * A session id that is unknown or another user's deletes nothing, and only the user's own tokens are touched.
 */
export async function revokeUserAccess(deps: ManagementDeps, caller: Caller, userId: string, input: RevokeAccessInput): Promise<void> {
  const now = deps.clock.now();
  const preserve = input.preserveRefreshTokens === true;
  let revoked = 0;
  let deleted = 0;
  if (input.sessionId !== undefined) {
    const sessionId = input.sessionId;
    if (!preserve) revoked = await deps.store.revokeFamilies({ userId, sessionId }, now, REVOKED_REASON);
    const session = await deps.store.findSession(sessionId);
    if (session && session.userId === userId && (await deps.store.deleteSession(sessionId))) deleted = 1;
  } else {
    if (!preserve) revoked = await deps.store.revokeFamilies({ userId }, now, REVOKED_REASON);
    deleted = await deps.store.deleteSessionsOfUser(userId);
  }
  audit(
    deps,
    caller,
    'Revoke access for a user',
    { user_id: userId, session_id: input.sessionId ?? null, preserve_refresh_tokens: preserve, revoked_refresh_tokens: revoked, deleted_sessions: deleted },
    userId,
  );
}
