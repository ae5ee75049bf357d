import type { SecurityEvent, StoredEvent } from '../core/events.js';
import { newEventId } from '../core/event-ids.js';

/** Distinct IPs and user agents kept per aggregate, as a sample for the operator. */
const SAMPLE = 5;

interface Window {
  first: SecurityEvent;
  firstAt: number;
  lastAt: number;
  count: number;
  ips: Set<string>;
  userAgents: Set<string>;
}

/**
 * Folds events that name nothing stored (a junk refresh token, a family that no longer exists) into one event per
 * type, client and details per window, so hostile traffic cannot make the database grow with its request rate: at
 * most one row per (client, reason) per window, whatever the rate. The summary keeps the count, the window's
 * bounds and a sample of the addresses.
 */
export class EventAggregator {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #open = new Map<string, Window>();

  constructor(options: { windowMs: number; maxKeys?: number }) {
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 1000;
  }

  /** Adds an event; returns summaries that had to be closed early because too many windows were open. */
  add(event: SecurityEvent): StoredEvent[] {
    const key = JSON.stringify([event.type, event.clientId ?? null, event.description, event.details ?? {}]);
    let w = this.#open.get(key);
    const overflow: StoredEvent[] = [];
    if (!w) {
      // Keys are bounded by real clients × reasons; the cap only guards against a bug making them unbounded.
      if (this.#open.size >= this.#maxKeys) overflow.push(...this.closeAll());
      w = { first: event, firstAt: event.date, lastAt: event.date, count: 0, ips: new Set(), userAgents: new Set() };
      this.#open.set(key, w);
    }
    w.count++;
    w.firstAt = Math.min(w.firstAt, event.date);
    w.lastAt = Math.max(w.lastAt, event.date);
    if (event.ip && w.ips.size < SAMPLE) w.ips.add(event.ip);
    if (event.userAgent && w.userAgents.size < SAMPLE) w.userAgents.add(event.userAgent);
    return overflow;
  }

  /** Summaries of the windows open for at least the window length at `now`. */
  closeDue(now: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const [key, w] of this.#open) {
      if (now - w.firstAt < this.#windowMs) continue;
      this.#open.delete(key);
      out.push(summary(w));
    }
    return out;
  }

  /** Summaries of every open window (shutdown). */
  closeAll(): StoredEvent[] {
    const out = [...this.#open.values()].map(summary);
    this.#open.clear();
    return out;
  }

  get open(): number {
    return this.#open.size;
  }
}

function summary(w: Window): StoredEvent {
  const { first } = w;
  const single = <T>(set: Set<T>): T | null => (set.size === 1 ? [...set][0]! : null);
  return {
    type: first.type,
    date: w.lastAt,
    logId: newEventId(w.lastAt),
    description: `${first.description} (${w.count}× between ${new Date(w.firstAt).toISOString()} and ${new Date(w.lastAt).toISOString()}, aggregated)`,
    clientId: first.clientId ?? null,
    userId: null,
    ip: single(w.ips),
    userAgent: single(w.userAgents),
    details: {
      ...first.details,
      aggregated: true,
      count: w.count,
      first_at: new Date(w.firstAt).toISOString(),
      last_at: new Date(w.lastAt).toISOString(),
      ips: [...w.ips],
    },
  };
}
