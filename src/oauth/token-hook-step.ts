import type { Claims } from '../core/claims.js';
import { OAuthError } from '../core/errors.js';
import { newWebhookId } from '../events/standard-webhooks.js';
import type { Metadata, RequestContext } from '../core/types.js';
import type { TokenHookEvent, TokenHookEventName } from '../hooks/token-hook-schema.js';
import type { HookVerdict } from '../hooks/token-hook.js';

/** The inputs of one hook event, in the domain's words; `hookEvent` spells them as the hook's JSON. */
export interface HookEventInput {
  event: TokenHookEventName;
  idempotencyKey?: string;
  userId: string;
  clientId: string;
  audience: string;
  requestedScope: string[] | null;
  grantedScope: string[];
  sessionId: string | null;
  accessClaims: Claims;
  refreshToken: { id: string; claims: Claims; metadata: Metadata; rotating: boolean } | null;
  context: RequestContext;
}

export function hookEvent(input: HookEventInput): TokenHookEvent {
  const requestId = newWebhookId();
  return {
    event: input.event,
    request_id: requestId,
    idempotency_key: input.idempotencyKey ?? requestId,
    user_id: input.userId,
    client_id: input.clientId,
    audience: input.audience,
    scope: { requested: input.requestedScope, granted: input.grantedScope },
    session_id: input.sessionId,
    access_token: { claims: input.accessClaims },
    refresh_token: input.refreshToken,
    device: { ip: input.context.ip, user_agent: input.context.userAgent },
  };
}

/**
 * RFC 6749 §5.2 allows only printable ASCII without `"` and `\` in error_description; strict clients check it.
 * The hook's reason is the application's text, so it is fitted to that set (the event keeps it verbatim).
 */
export function describeReason(reason: string): string {
  return reason.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?');
}

/** The answer to a request the hook denied: Auth0's `api.access.deny(reason)`. */
export function deniedByHook(reason: string): OAuthError {
  return new OAuthError('access_denied', describeReason(reason), { detail: 'denied by the token hook' });
}

/** The answer when the hook could not decide and the policy is to fail closed: retryable, the token is untouched. */
export function hookUnavailable(reason: string): OAuthError {
  return new OAuthError('temporarily_unavailable', 'The token hook is unavailable; retry shortly.', { status: 503, detail: `token hook failed: ${reason}` });
}

export type Proceed = Extract<HookVerdict, { kind: 'proceed' }>;
