import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import type { TokenHookObservation } from '../hooks/token-hook.js';
import type { FamilyStore } from '../ports/store.js';

/** Refresh outcomes as labelled on refreshd_refreshes_total. */
export const REFRESH_OUTCOMES = [
  'rotated', 'exchanged', 'leeway_replay', 'reuse_detected', 'expired', 'revoked', 'unknown', 'malformed', 'other_client', 'invalid',
  'hook_denied', 'hook_revoked', 'hook_failed',
] as const;

/**
 * Prometheus metrics, in a registry of their own (several apps can live in one process, as in tests). Refresh
 * outcomes are counted from the security events, so the grant code has no metrics calls of its own.
 */
export class Metrics implements EventSink {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly refreshes: Counter<'outcome'>;
  readonly events: Counter<'type'>;
  readonly storeDuration: Histogram<'operation' | 'result'>;
  readonly eventsDropped: Counter<'reason'>;
  readonly webhookEvents: Counter<'result'>;
  readonly tokenHookCalls: Counter<'event' | 'result'>;
  readonly tokenHookDuration: Histogram<'event'>;

  constructor(options: { store?: Pick<FamilyStore, 'countActiveFamilies'>; clock: Clock; defaultMetrics?: boolean; activeFamiliesCacheMs?: number }) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.httpRequests = new Counter({ name: 'refreshd_http_requests_total', help: 'HTTP requests by route template, method and status.', labelNames: ['route', 'method', 'status'], registers });
    this.httpDuration = new Histogram({
      name: 'refreshd_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.refreshes = new Counter({ name: 'refreshd_refreshes_total', help: 'Refresh-token exchanges by outcome.', labelNames: ['outcome'], registers });
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.inc({ outcome }, 0);
    this.events = new Counter({ name: 'refreshd_security_events_total', help: 'Security events by Auth0 log type.', labelNames: ['type'], registers });
    this.storeDuration = new Histogram({
      name: 'refreshd_store_query_duration_seconds',
      help: 'Store operation latency by operation and result.',
      labelNames: ['operation', 'result'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'refreshd_security_events_dropped_total',
      help: 'Security events not stored: queue_full (the queue overflowed while the database was unreachable) or refused (the database refused the row).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['queue_full', 'refused']) this.eventsDropped.inc({ reason }, 0);
    this.webhookEvents = new Counter({ name: 'refreshd_webhook_events_total', help: 'Events delivered to or abandoned by the webhook.', labelNames: ['result'], registers });
    this.tokenHookCalls = new Counter({
      name: 'refreshd_token_hook_calls_total',
      help: 'Token hook calls by event and result: no_change, changed, deny, revoke, or the failure (timeout, http_5xx, http_status, redirect, too_large, invalid_response, connection, error).',
      labelNames: ['event', 'result'],
      registers,
    });
    this.tokenHookDuration = new Histogram({
      name: 'refreshd_token_hook_duration_seconds',
      help: 'Token hook call latency by event, failures included.',
      labelNames: ['event'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });

    const store = options.store;
    if (store) {
      // Counting active families scans an index; cache it so frequent scrapes stay cheap.
      const cacheMs = options.activeFamiliesCacheMs ?? 15_000;
      let cached: { at: number; value: number } | null = null;
      new Gauge({
        name: 'refreshd_families_active',
        help: 'Refresh-token families neither revoked nor expired.',
        registers,
        async collect() {
          const now = options.clock.now();
          if (!cached || now - cached.at >= cacheMs) cached = { at: now, value: await store.countActiveFamilies(now) };
          this.set(cached.value);
        },
      });
    }
  }

  emit(event: SecurityEvent): void {
    this.events.inc({ type: event.type });
    if (event.type === 'sertft') this.refreshes.inc({ outcome: String(event.details?.outcome ?? 'rotated') });
    else if (event.type === 'ferrt') this.refreshes.inc({ outcome: 'reuse_detected' });
    else if (event.type === 'fertft') {
      const reason = String(event.details?.failure_reason ?? 'invalid');
      this.refreshes.inc({ outcome: reason === 'reused' ? 'reuse_detected' : reason });
    }
  }

  observeTokenHook(o: TokenHookObservation): void {
    this.tokenHookCalls.inc({ event: o.event, result: o.result });
    this.tokenHookDuration.observe({ event: o.event }, o.seconds);
  }

  observeQuery(operation: string, seconds: number, ok: boolean): void {
    this.storeDuration.observe({ operation, result: ok ? 'ok' : 'error' }, seconds);
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }
}
