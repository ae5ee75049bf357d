import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import type { SqlStore } from '../../src/store/sql/sql-store.js';

/**
 * Hostile HTTP requests for property-based tests, independent of any one API: the caller names the paths it
 * wants hit, the parameter names and the "almost valid" values (real ids, real secrets, real tokens) that let
 * generated requests get past the first checks. The Management API can reuse it with its own paths and fields.
 */
export interface HostileSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The endpoint's own path; variants of it (trailing slash, case, encodings, dot segments) are generated too. */
  path: string;
  /** Parameter names the endpoint knows. */
  keys: readonly string[];
  /** Values that are valid somewhere (ids, secrets, tokens), mixed into the hostile ones. */
  values: readonly string[];
  /** Extra headers worth sending (e.g. a valid Authorization). */
  headers?: Readonly<Record<string, string>>;
}

const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

const SQL_META = ["' OR '1'='1", '"; DROP TABLE token_families; --', "'); DELETE FROM clients; --", '%', '_', '\\', '\u0000', "1' UNION SELECT secret_hash FROM clients --", '$1', '?'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__'];

function hostileValue(spec: HostileSpec): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...spec.values) },
    { weight: 2, arbitrary: fc.string({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(...SQL_META) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom(...spec.values).chain((v) => fc.nat({ max: Math.max(0, v.length) }).map((n) => v.slice(0, n) + v.slice(n + 1))) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 20_000 }).map((n) => 'A'.repeat(n)) },
  );
}

function hostileKey(spec: HostileSpec): fc.Arbitrary<string> {
  return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...spec.keys) }, { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 300 }) });
}

const form = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
// JSON written by hand so keys can repeat and __proto__ stays a literal key.
const json = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

function hostileBody(spec: HostileSpec): fc.Arbitrary<{ body: string | Buffer | undefined; contentType: string | undefined }> {
  const pairs = fc.array(fc.tuple(hostileKey(spec), hostileValue(spec)), { maxLength: 12 });
  const ct = (...types: string[]) => fc.constantFrom(...types);
  const formTypes = ct('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded;charset=utf-16');
  const jsonTypes = ct('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'Application/Json', 'application/vnd.api+json');
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ body: pairs.map(form), contentType: formTypes }) },
    { weight: 3, arbitrary: fc.record({ body: pairs.map(json), contentType: jsonTypes }) },
    // Nested, arrays, numbers, null: valid JSON, wrong shape.
    { weight: 1, arbitrary: fc.record({ body: fc.json({ maxDepth: 4 }), contentType: jsonTypes }) },
    // Deep nesting within the size limit.
    { weight: 1, arbitrary: fc.record({ body: fc.integer({ min: 100, max: 12_000 }).chain((d) => fc.constantFrom('['.repeat(d) + ']'.repeat(d), '{"a":'.repeat(d) + '1' + '}'.repeat(d))), contentType: jsonTypes }) },
    // Over the 64 KiB limit.
    { weight: 1, arbitrary: fc.record({ body: fc.integer({ min: 65_537, max: 200_000 }).map((n) => 'grant_type=refresh_token&x=' + 'a'.repeat(n)), contentType: fc.oneof(formTypes, jsonTypes) }) },
    // Bytes that are not UTF-8, or a content type nobody parses.
    { weight: 1, arbitrary: fc.record({ body: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), contentType: fc.oneof(formTypes, jsonTypes, ct('application/octet-stream')) }) },
    { weight: 1, arbitrary: fc.record({ body: pairs.map(form), contentType: fc.oneof(ct('text/plain', 'multipart/form-data; boundary=x', 'application/xml', '', '*/*', 'application/x-www-form-urlencoded, application/json'), printable(40)) }) },
    { weight: 1, arbitrary: fc.constant({ body: undefined, contentType: undefined }) },
  );
}

function hostileHeaders(spec: HostileSpec): fc.Arbitrary<Record<string, string>> {
  const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
  const authorization = fc.oneof(
    fc.constantFrom(...Object.values(spec.headers ?? {})),
    fc.tuple(fc.constantFrom(...spec.values), fc.constantFrom(...spec.values)).map(([a, b]) => `Basic ${b64(`${a}:${b}`)}`),
    fc.string({ unit: 'binary', maxLength: 80 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    printable(120).map((s) => `Basic ${s}`),
    printable(120).map((s) => `Bearer ${s}`),
    printable(200),
  );
  return fc.record(
    {
      authorization,
      'auth0-forwarded-for': fc.oneof(printable(100), fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', '999.1.1.1', 'unknown')),
      'user-agent': printable(2000),
      'x-forwarded-for': printable(100),
      accept: fc.constantFrom('*/*', 'text/html', 'application/xml', ''),
      'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'x'),
    },
    { requiredKeys: [] },
  );
}

function hostilePath(spec: HostileSpec): fc.Arbitrary<{ url: string; exact: boolean }> {
  const p = spec.path;
  const query = fc.array(fc.tuple(hostileKey(spec), hostileValue(spec)), { maxLength: 6 }).map(form);
  const variant = fc.constantFrom(
    p + '/',
    p.toUpperCase(),
    p.replace(/\/([^/]*)$/, '//$1'),
    p + '%00',
    p + '/..',
    p.replace(/.$/, (c) => `%${c.charCodeAt(0).toString(16)}`),
    p + ';jsessionid=1',
    p + '#frag',
    '/' + 'a'.repeat(5000),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ url: p, exact: true }) },
    { weight: 3, arbitrary: query.map((q) => ({ url: `${p}?${q}`, exact: true })) },
    { weight: 1, arbitrary: variant.map((url) => ({ url, exact: false })) },
  );
}

export interface HostileCase {
  options: InjectOptions;
  /** The request addresses the endpoint itself (method and path), so the endpoint's error format applies. */
  exact: boolean;
}

export function hostileRequest(spec: HostileSpec): fc.Arbitrary<HostileCase> {
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant(spec.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') as fc.Arbitrary<InjectOptions['method'] & string> });
  return fc.record({ method, path: hostilePath(spec), body: hostileBody(spec), headers: hostileHeaders(spec) }).map(({ method, path, body, headers }) => {
    const h: Record<string, string> = { ...headers };
    if (body.contentType !== undefined) h['content-type'] = body.contentType;
    const withBody = method !== 'GET' && body.body !== undefined;
    return {
      options: { method, url: path.url, headers: h, ...(withBody ? { payload: body.body } : {}) } as InjectOptions,
      exact: path.exact && method === spec.method,
    };
  });
}

/** A digest of every row of every table: equal digests mean the database did not change. */
export async function databaseDigest(store: SqlStore): Promise<string> {
  const hash = createHash('sha256');
  for (const table of ['token_families', 'sessions', 'clients', 'resource_servers', 'client_grants', 'signing_keys', 'server_secrets']) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    const text = rows.map((r) => JSON.stringify(r)).sort();
    hash.update(`${table}\n${text.join('\n')}\n`);
  }
  return hash.digest('hex');
}

/** Runs generated requests against an app in batches through inject(); `check` asserts on each answer. */
export async function fuzzEndpoint(
  app: FastifyInstance,
  store: SqlStore,
  arbitrary: fc.Arbitrary<HostileCase>,
  options: { cases: number; batch?: number; seed?: number; check: (c: HostileCase, res: Awaited<ReturnType<FastifyInstance['inject']>>) => void },
): Promise<{ cases: number; rejected: number; accepted: number; unchangedBatches: number; statuses: Record<number, number> }> {
  const batch = options.batch ?? 25;
  const stats = { cases: 0, rejected: 0, accepted: 0, unchangedBatches: 0, statuses: {} as Record<number, number> };
  // fast-check prints whole counterexamples; some are 200 KB bodies, so the report is cut to something readable.
  await assertShort(
    fc.assert(
    fc.asyncProperty(fc.array(arbitrary, { minLength: batch, maxLength: batch }), async (cases) => {
      const before = await databaseDigest(store);
      const answers = await Promise.all(cases.map((c) => app.inject(c.options)));
      let anyAccepted = false;
      answers.forEach((res, i) => {
        stats.cases++;
        stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode < 400) anyAccepted = true;
        if (res.statusCode < 400) stats.accepted++;
        else stats.rejected++;
        options.check(cases[i]!, res);
      });
      // Rejected requests change nothing: compared per batch, over every row of every table.
      if (!anyAccepted) {
        const afterDigest = await databaseDigest(store);
        if (afterDigest !== before) throw new Error('a batch of rejected requests changed the database');
        stats.unchangedBatches++;
      }
    }),
    { numRuns: Math.ceil(options.cases / batch), ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
  ),
  );
  return stats;
}

async function assertShort(run: Promise<void>): Promise<void> {
  try {
    await run;
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    throw new Error(`${String((err as Error).message).slice(0, 300)}…\ncause: ${String(cause?.message ?? '').slice(0, 1500)}`);
  }
}
