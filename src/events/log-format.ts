import type { StoredEvent } from '../core/events.js';

/** An event in Auth0's log shape, as served by GET /api/v2/logs and delivered to webhooks. */
export interface Auth0Log {
  log_id: string;
  date: string;
  type: string;
  description: string;
  client_id: string | null;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

export function toAuth0Log(e: StoredEvent): Auth0Log {
  return {
    log_id: e.logId,
    date: new Date(e.date).toISOString(),
    type: e.type,
    description: e.description,
    client_id: e.clientId ?? null,
    user_id: e.userId ?? null,
    ip: e.ip ?? null,
    user_agent: e.userAgent ?? null,
    details: e.details ?? {},
  };
}
