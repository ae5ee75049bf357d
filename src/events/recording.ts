import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { EventStore } from '../ports/store.js';
import { EventRecorder } from './event-recorder.js';
import type { WebhookDelivery } from './webhook.js';

export interface RecordingOptions {
  logger: Logger;
  clock?: Clock;
  /** REFRESHD_STORE_REFRESH_EVENTS */
  storeRefreshes: boolean;
  metrics?: Metrics | null;
  webhook?: WebhookDelivery | null;
}

/**
 * The event recorder as the server runs it: what it stores goes to the webhook; successful refreshes it does not
 * store still do; what it has to drop is counted in /metrics (and, when the database refused it, still delivered).
 */
export function recordSecurityEvents(store: EventStore, o: RecordingOptions): EventRecorder {
  return new EventRecorder(store, {
    logger: o.logger,
    storeRefreshes: o.storeRefreshes,
    ...(o.clock ? { clock: o.clock } : {}),
    onNotStored: (event) => o.webhook?.enqueue([event]),
    onStored: (events) => o.webhook?.enqueue(events),
    onDropped: (n) => o.metrics?.eventsDropped.inc({ reason: 'queue_full' }, n),
    // Refused by the database, but still security events: the webhook (JSON) can carry them.
    onRejected: (events) => {
      o.metrics?.eventsDropped.inc({ reason: 'refused' }, events.length);
      o.webhook?.enqueue(events);
    },
  });
}
