import type { StoredEvent } from '../core/events.js';
import { EVENT_ID_PATTERN } from '../core/event-ids.js';
import { MAX_CLIENT_ID_LENGTH } from '../core/ids.js';
import type { EventQuery } from '../ports/store.js';
import type { ManagementDeps } from './deps.js';
import { invalidQueryString, logNotFound } from './errors.js';

/**
 * GET /api/v2/logs as Auth0 serves it, in two modes:
 * - checkpoint (`from` given): events after that log_id, oldest first; `take` 1–100; every other parameter ignored;
 * - search (no `from`): `page`/`per_page` (1–100), `sort` on date, an optional `q` of `field:value` terms, and at
 *   most the first 1,000 results, as on Auth0.
 */

export const SEARCH_LIMIT = 1000;
/** Searchable fields: a Map, so `__proto__`, `constructor` or `toString` are unknown names, not inherited keys. */
const SEARCHABLE = new Map<string, 'type' | 'userId' | 'clientId'>([
  ['type', 'type'],
  ['user_id', 'userId'],
  ['client_id', 'clientId'],
]);

export async function getLog(deps: ManagementDeps, id: string): Promise<StoredEvent> {
  const event = EVENT_ID_PATTERN.test(id) ? await deps.store.findEvent(id) : null;
  if (!event) throw logNotFound();
  return event;
}

export async function logsFromCheckpoint(deps: ManagementDeps, from: string, take: number): Promise<StoredEvent[]> {
  if (!EVENT_ID_PATTERN.test(from)) throw invalidQueryString("Query validation error: 'from' is not a log_id.");
  return deps.store.listEvents({ afterLogId: from, limit: take });
}

/** Parses Auth0's query syntax for the fields refreshd indexes: `type:sertft AND user_id:"auth0|1"`. */
export function parseLogQuery(q: string | undefined): Pick<EventQuery, 'type' | 'userId' | 'clientId'> {
  const out: Pick<EventQuery, 'type' | 'userId' | 'clientId'> = {};
  if (q === undefined || q.trim() === '') return out;
  const term = /\s*(\w+):(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))\s*(?:AND\s+|$)/y;
  let at = 0;
  while (at < q.length) {
    term.lastIndex = at;
    const m = term.exec(q);
    const key = m?.[1] === undefined ? undefined : SEARCHABLE.get(m[1]);
    if (!m || key === undefined) {
      throw invalidQueryString(`Query validation error: unsupported search; use ${[...SEARCHABLE.keys()].join(', ')} terms joined by AND.`);
    }
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    if (key === 'clientId' && value !== undefined && value.length > MAX_CLIENT_ID_LENGTH) {
      throw invalidQueryString(`Query validation error: client_id is too long (at most ${MAX_CLIENT_ID_LENGTH} characters).`);
    }
    out[key] = value;
    at = term.lastIndex;
  }
  return out;
}

export interface LogSearch {
  page: number;
  perPage: number;
  descending: boolean;
  q: string | undefined;
  includeTotals: boolean;
}

export async function searchLogs(deps: ManagementDeps, s: LogSearch): Promise<{ logs: StoredEvent[]; total?: number }> {
  const filter = parseLogQuery(s.q);
  const offset = s.page * s.perPage;
  if (offset + s.perPage > SEARCH_LIMIT) {
    throw invalidQueryString(`Query validation error: you can page through at most ${SEARCH_LIMIT} results; use checkpoint paging (from/take).`);
  }
  const logs = await deps.store.listEvents({ ...filter, offset, limit: s.perPage, descending: s.descending });
  if (!s.includeTotals) return { logs };
  return { logs, total: Math.min(await deps.store.countEvents(filter), SEARCH_LIMIT) };
}
