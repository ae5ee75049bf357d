import { Type } from '@sinclair/typebox';
import { toAuth0Log, type Auth0Log } from '../events/log-format.js';
import { invalidQueryString } from '../management/errors.js';
import { getLog, logsFromCheckpoint, searchLogs } from '../management/logs.js';
import type { ManagementDeps } from '../management/deps.js';
import { scoped, type ManagementApp } from './management-route-config.js';
import { errorResponses, NO_CONTROL_CHARS } from './schemas/management.js';

const TAGS = ['logs'];

const Log = Type.Object(
  {
    log_id: Type.String({ description: 'Unique id of the event; ids sort by time.' }),
    date: Type.String({ format: 'date-time' }),
    type: Type.String({ description: "Auth0's log event type code (sertft, fertft, ferrt, srrt, secte, seccft, sapi, …)." }),
    description: Type.String(),
    client_id: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    user_id: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    ip: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    user_agent: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'Log', description: 'A security event. Never contains a token or a secret.' },
);

const LogsQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 64, description: 'Checkpoint: return events after this log_id (oldest first); other parameters are ignored.' })),
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Checkpoint page size (default 50).' })),
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 999, description: 'Search: page index, first page is 0.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Search: results per page (default 50).' })),
  sort: Type.Optional(Type.Union([Type.Literal('date:1'), Type.Literal('date:-1')], { description: 'Search: order by date, ascending (1) or descending (-1, default).' })),
  include_totals: Type.Optional(Type.Boolean({ description: 'Search: wrap the results as {start, limit, length, total, logs}.' })),
  // Search values are compared as text in the store: control characters (NUL, which PostgreSQL refuses in text,
  // above all) are a 400 here, as in identifiers, rather than a database error.
  q: Type.Optional(Type.String({ maxLength: 1024, pattern: NO_CONTROL_CHARS, description: 'Search: `field:value` terms joined by AND, on type, user_id and client_id.' })),
  search: Type.Optional(Type.String({ maxLength: 1024, pattern: NO_CONTROL_CHARS, description: 'Alias of q, as the auth0 SDK sends it.' })),
  fields: Type.Optional(Type.String({ maxLength: 512 })),
  include_fields: Type.Optional(Type.Boolean()),
});

const LogsPage = Type.Object({
  start: Type.Integer(),
  limit: Type.Integer(),
  length: Type.Integer(),
  total: Type.Integer(),
  logs: Type.Array(Type.Partial(Log)),
});

const LOG_FIELDS = Object.keys(Log.properties);

/** `fields`/`include_fields`: keep (or drop) the named properties; an unknown name is a 400. */
function selectFields(fields: string | undefined, include: boolean | undefined): ((log: Auth0Log) => Partial<Auth0Log>) | null {
  if (fields === undefined || fields === '') return null;
  const names = fields.split(',').map((f) => f.trim());
  const unknown = names.filter((n) => !LOG_FIELDS.includes(n));
  if (unknown.length) throw invalidQueryString(`Query validation error: unknown fields: ${unknown.join(', ')}`);
  const keep = include === false ? LOG_FIELDS.filter((f) => !names.includes(f)) : names;
  return (log) => Object.fromEntries(keep.map((k) => [k, log[k as keyof Auth0Log]])) as Partial<Auth0Log>;
}

/** GET /logs and GET /logs/{id}, scope read:logs. */
export function registerLogRoutes(app: ManagementApp, deps: ManagementDeps): void {
  app.get(
    '/logs',
    {
      config: scoped(['read:logs']),
      schema: {
        operationId: 'get_logs',
        summary: 'Search log events',
        description: 'Checkpoint paging with from/take, or search with page/per_page/sort/q.',
        tags: TAGS,
        querystring: LogsQuery,
        response: { 200: Type.Union([Type.Array(Type.Partial(Log)), LogsPage], { description: 'The logs were retrieved.' }), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      if (q.from !== undefined) {
        const take = q.take ?? 50;
        const logs = (await logsFromCheckpoint(deps, q.from, take)).map(toAuth0Log);
        // Auth0 names the next checkpoint in a Link header; with no newer events it is the same request again.
        const next = logs.at(-1)?.log_id ?? q.from;
        reply.header('link', `<${req.url.split('?')[0]}?from=${encodeURIComponent(next)}&take=${take}>; rel="next"`);
        return logs;
      }
      const perPage = q.per_page ?? 50;
      const page = q.page ?? 0;
      const select = selectFields(q.fields, q.include_fields);
      const result = await searchLogs(deps, { page, perPage, descending: q.sort !== 'date:1', q: q.q ?? q.search, includeTotals: q.include_totals === true });
      const logs = select ? result.logs.map((e) => select(toAuth0Log(e))) : result.logs.map(toAuth0Log);
      if (result.total === undefined) return logs;
      return { start: page * perPage, limit: perPage, length: logs.length, total: result.total, logs };
    },
  );

  app.get(
    '/logs/:id',
    {
      config: scoped(['read:logs']),
      schema: {
        operationId: 'get_log',
        summary: 'Get a log event by id',
        tags: TAGS,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: { ...Log, description: 'The log was retrieved.' }, ...errorResponses(400, 404) },
      },
    },
    async (req) => toAuth0Log(await getLog(deps, req.params.id)),
  );
}
