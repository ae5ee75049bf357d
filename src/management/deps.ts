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
