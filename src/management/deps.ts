import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Store } from '../ports/store.js';
import type { CheckpointCodec } from './checkpoint.js';

/** What the Management API use cases need, passed explicitly (no Fastify, no service locator). */
export interface ManagementDeps {
  store: Store;
  clock: Clock;
  events: EventSink;
  checkpoints: CheckpointCodec;
}

/** Who made a Management API call, for the `sapi` security events: the calling client and where it came from. */
export interface Caller {
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Emits the `sapi` security event of a Management API write: who, from where, and ids and counts only. */
export function audit(deps: ManagementDeps, caller: Caller, description: string, details: Record<string, unknown>, userId: string | null = null): void {
  deps.events.emit({
    type: 'sapi',
    date: deps.clock.now(),
    description,
    clientId: caller.clientId,
    userId,
    ip: caller.ip,
    userAgent: caller.userAgent,
    details,
  });
}
