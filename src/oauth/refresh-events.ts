import type { TokenFamily } from '../core/types.js';
import type { OAuthDeps } from './deps.js';
import type { RefreshRequest } from './refresh.js';

/**
 * A failed exchange of a refresh token (`fertft`, counted by `failure_reason` in /metrics). With the family it names
 * the family and both generations; without one (junk, a deleted family, another client's token) it costs an
 * attacker nothing to repeat, so it is counted but stored only aggregated.
 */
export function failedExchange(
  deps: OAuthDeps,
  req: RefreshRequest,
  family: TokenFamily | null,
  details: { failure_reason: string } & Record<string, unknown>,
  presentedGeneration?: number,
): void {
  deps.events.emit({
    type: 'fertft',
    date: deps.clock.now(),
    description: 'Failed exchange of Refresh Token for Access Token',
    clientId: req.client.clientId,
    userId: family?.userId ?? null,
    ip: req.context.ip,
    userAgent: req.context.userAgent,
    details: { ...details, ...(family ? { familyId: family.id, latestCounter: family.generation, tokenCounter: presentedGeneration } : {}) },
    ...(family ? {} : { aggregate: true }),
  });
}
