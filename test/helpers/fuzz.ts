import { createHash } from 'node:crypto';
import { request } from 'node:http';
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
  /** The wrong methods sent now and then (default GET, POST, PUT, DELETE, PATCH, OPTIONS). */
  otherMethods?: readonly string[];

  // ——— optional, for APIs with path parameters, JSON bodies and bearer tokens (the Management API). Absent, the
  // generated distribution is exactly the one the OAuth fuzzing was recorded with, so its seeds still replay. ———

  /** Values for each `{name}` placeholder in `path` (real ids first of all); hostile ones are mixed in. */
  params?: Readonly<Record<string, readonly string[]>>;
  /** Whole query strings (valid or nearly so) that reach the handler, sent alone or followed by hostile pairs. */
  queries?: readonly string[];
  /** Whole JSON bodies (valid or nearly so); with them, JSON with hostile nested values under `keys` is sent too. */
  bodies?: readonly string[];
  /** Valid bearer tokens, sent most of the time (the rest: the `headers` values, junk, or no Authorization). */
  bearer?: readonly string[];
  /** The endpoint's body limit in bytes (default 64 KiB); bodies just over it are generated. */
  bodyLimit?: number;
  /** Also build values from a real one plus a hostile head or tail (`user_id:` + NUL, an id + `' OR 1=1`). */
  compose?: boolean;
  /** Values of particular keys (query or body), sent under their own key half of the time, whole or mangled. */
  keyValues?: Readonly<Record<string, readonly string[]>>;
}

const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

const SQL_META = ["' OR '1'='1", '"; DROP TABLE token_families; --', "'); DELETE FROM clients; --", '%', '_', '\\', '\u0000', "1' UNION SELECT secret_hash FROM clients --", '$1', '?'];
const CONTROL_CHARS = ['\u0000', '\u0001', '\t', '\n', '\r\n', '\u001b', '\u001f', '\u007f', '\u0085'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__'];

/** What gets glued to a real value: SQL and control characters, lone surrogates, encodings, random code points. */
const valueTail = fc.oneof(
  // NUL above all: PostgreSQL refuses it in text with an error, where SQLite stores it.
  { weight: 2, arbitrary: fc.constant('\u0000') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROL_CHARS) },
  { weight: 1, arbitrary: fc.constantFrom(...SQL_META) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%00', '\\', '"', '*', ' ', ' AND ', '\ud800', '\udfff', '\ufeff', '\u202e') },
);

function hostileValue(spec: HostileSpec): fc.Arbitrary<string> {
  const base = hostileValueBase(spec);
  if (!spec.compose) return base;
  return fc.oneof(
    { weight: 6, arbitrary: base },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...spec.values), valueTail).map(([v, t]) => v + t) },
    { weight: 1, arbitrary: fc.tuple(valueTail, fc.constantFrom(...spec.values)).map(([t, v]) => t + v) },
  );
}

function hostileValueBase(spec: HostileSpec): fc.Arbitrary<string> {
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

/** A parameter and its value: any known key with any value, or (with `keyValues`) a key with its own values, mangled. */
function hostilePair(spec: HostileSpec): fc.Arbitrary<[string, string]> {
  const any = fc.tuple(hostileKey(spec), hostileValue(spec));
  const own = Object.entries(spec.keyValues ?? {}).filter(([, pool]) => pool.length > 0);
  if (own.length === 0) return any;
  const keyed = fc.constantFrom(...own).chain(([key, pool]) => {
    const value = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...pool) },
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...pool), valueTail).map(([v, t]) => v + t) },
      { weight: 1, arbitrary: fc.tuple(valueTail, fc.constantFrom(...pool)).map(([t, v]) => t + v) },
      { weight: 1, arbitrary: hostileValue(spec) },
    );
    return value.map((v): [string, string] => [key, v]);
  });
  return fc.oneof({ weight: 1, arbitrary: any }, { weight: 1, arbitrary: keyed });
}

function hostileKey(spec: HostileSpec): fc.Arbitrary<string> {
  return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...spec.keys) }, { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 300 }) });
}

/** Lone surrogates (which encodeURIComponent refuses) become U+FFFD, as a client's UTF-8 encoder would send them. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const form = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(v))}`).join('&');
// JSON written by hand so keys can repeat and __proto__ stays a literal key.
const json = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

type HostileBody = { body: string | Buffer | undefined; contentType: string | undefined };

function hostileBody(spec: HostileSpec): fc.Arbitrary<HostileBody> {
  const pairs = fc.array(hostilePair(spec), { maxLength: 12 });
  const ct = (...types: string[]) => fc.constantFrom(...types);
  const formTypes = ct('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded;charset=utf-16');
  const jsonTypes = ct('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'Application/Json', 'application/vnd.api+json');
  const limit = spec.bodyLimit ?? 65_536;
  const common = commonBodies(pairs, formTypes, jsonTypes, limit);
  if (!spec.bodies) return common;
  // JSON bodies that reach the handler (valid, or wrong only in one place), and known keys holding hostile values
  // of every JSON type: objects of hostile keys, arrays, numbers, null, deep nesting.
  const jsonMostly = fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: jsonTypes });
  const nested = fc.oneof(
    pairs.map(json),
    fc.array(hostileValue(spec), { maxLength: 8 }).map((a) => JSON.stringify(a)),
    fc.json({ maxDepth: 3 }),
    fc.constantFrom('null', 'true', 'false', '0', '-1', '1e308', '1.5', '""', '[]', '{}', '[null]', '{"":""}'),
    fc.integer({ min: 100, max: 5_000 }).chain((d) => fc.constantFrom('['.repeat(d) + ']'.repeat(d), '{"a":'.repeat(d) + '"b"' + '}'.repeat(d))),
  );
  const keyed = fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(spec.keys.length ? spec.keys : ['x'])) }, { weight: 1, arbitrary: hostileKey(spec) }), nested), { minLength: 1, maxLength: 4 });
  return fc.oneof(
    { weight: 10, arbitrary: common },
    { weight: 3, arbitrary: fc.record({ body: fc.constantFrom(...spec.bodies), contentType: jsonMostly }) },
    { weight: 2, arbitrary: fc.record({ body: keyed.map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`), contentType: jsonMostly }) },
  );
}

const OVERSIZE_PREFIX = 'grant_type=refresh_token&x=';
let oversize = Buffer.alloc(0);
/**
 * The prefix and then n × 'a'. Under the OAuth limit a string, as recorded; above 64 KiB a view of one shared
 * buffer, since building and copying a fresh megabyte per case would dominate the run time.
 */
function oversizeBody(n: number): string | Buffer {
  if (n <= 200_000) return OVERSIZE_PREFIX + 'a'.repeat(n);
  const size = OVERSIZE_PREFIX.length + n;
  if (oversize.length < size) {
    oversize = Buffer.alloc(Math.max(size, 2 * oversize.length), 'a');
    oversize.write(OVERSIZE_PREFIX, 0, 'latin1');
  }
  return oversize.subarray(0, size);
}

function commonBodies(pairs: fc.Arbitrary<[string, string][]>, formTypes: fc.Arbitrary<string>, jsonTypes: fc.Arbitrary<string>, limit: number): fc.Arbitrary<HostileBody> {
  const ct = (...types: string[]) => fc.constantFrom(...types);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ body: pairs.map(form), contentType: formTypes }) },
    { weight: 3, arbitrary: fc.record({ body: pairs.map(json), contentType: jsonTypes }) },
    // Nested, arrays, numbers, null: valid JSON, wrong shape.
    { weight: 1, arbitrary: fc.record({ body: fc.json({ maxDepth: 4 }), contentType: jsonTypes }) },
    // Deep nesting within the size limit.
    { weight: 1, arbitrary: fc.record({ body: fc.integer({ min: 100, max: 12_000 }).chain((d) => fc.constantFrom('['.repeat(d) + ']'.repeat(d), '{"a":'.repeat(d) + '1' + '}'.repeat(d))), contentType: jsonTypes }) },
    // Over the body limit: 64 KiB on the OAuth endpoints (up to 200,000 bytes); otherwise up to 64 KiB over it.
    { weight: 1, arbitrary: fc.record({ body: fc.integer({ min: limit + 1, max: limit === 65_536 ? 200_000 : limit + 65_536 }).map(oversizeBody), contentType: fc.oneof(formTypes, jsonTypes) }) },
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
  const others = {
    'auth0-forwarded-for': fc.oneof(printable(100), fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', '999.1.1.1', 'unknown')),
    'user-agent': printable(2000),
    'x-forwarded-for': printable(100),
    // The CORS paths: the fixture's web origins, others, and junk.
    origin: fc.oneof(fc.constantFrom('https://app.example.com', 'http://localhost:5173', 'https://evil.example', 'null'), printable(100)),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'x'),
  };
  if (!spec.bearer?.length) return fc.record({ authorization, ...others }, { requiredKeys: [] });
  // A valid bearer token most of the time, so that requests get past authentication to validation and handlers.
  const bearer = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...spec.bearer).map((t) => `Bearer ${t}`) },
    { weight: 2, arbitrary: authorization },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  return fc.tuple(bearer, fc.record(others, { requiredKeys: [] })).map(([a, rest]) => (a === undefined ? rest : { authorization: a, ...rest }));
}

/** Percent-encodes every byte but the unreserved ones; lone surrogates become U+FFFD (as a client's encoder would). */
export function encodeSegment(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Path segments sent as they are: bad or overlong percent-encoding, encoded slashes and dots, over-long ids. */
const RAW_SEGMENTS = ['%', '%Z', '%ZZ', '%C0%AF', '%E2%82', '%FF%FE', '%00', '%u0041', '.', '..', '%2e%2e', 'a%2Fb', '%252F', 'x%3Fy%3D1', '%F0%9F%92%A9', '%EF%BF%BF', '%ED%A0%80', 'A'.repeat(2100), '%41'.repeat(700)];

/** Query-string text sent as it is. */
const RAW_QUERIES = ['%', '%ZZ=1', 'take=%E2%82', 'from=%C0%AF', '=&=&', '&&&', '=1', 'take[]=1', 'user_id[x]=1', 'a[__proto__][x]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', '%00=%00', 'take=1&take=1', 'take', 'include_totals', '??take=1', 'take=1#x', 'x=' + '%41'.repeat(3000), 'q=%FF%FE', 'take=+1', 'take=%201', 'take=1%00'];

function paramValue(spec: HostileSpec, pool: readonly string[]): fc.Arbitrary<string> {
  const real = pool.length ? pool : spec.values;
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...real).map(encodeSegment) },
    { weight: 3, arbitrary: hostileValue(spec).map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    // A real id as a client might mangle it: not encoded, upper-cased, with a stray suffix or prefix.
    { weight: 1, arbitrary: fc.constantFrom(...real).chain((v) => fc.constantFrom(v.replace(/[^A-Za-z0-9\-._~|]/g, ''), encodeSegment(v.toUpperCase()), `${encodeSegment(v)}%20`, `%20${encodeSegment(v)}`, `${encodeSegment(v)}%0A`, `${encodeSegment(v)}/`)) },
  );
}

/** `path` with each `{name}` filled from the spec's params. */
function filledPath(spec: HostileSpec): fc.Arbitrary<string> {
  const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(spec.path);
  return fc.tuple(...names.map((n) => paramValue(spec, spec.params?.[n] ?? []))).map((vals) => {
    let i = 0;
    return spec.path.replace(/\{(\w+)\}/g, () => vals[i++]!);
  });
}

function hostilePath(spec: HostileSpec): fc.Arbitrary<{ url: string; exact: boolean }> {
  if (spec.params || spec.queries) return filledPath(spec).chain((p) => pathVariants(spec, p));
  return pathVariants(spec, spec.path);
}

function pathVariants(spec: HostileSpec, p: string): fc.Arbitrary<{ url: string; exact: boolean }> {
  const query = fc.array(hostilePair(spec), { maxLength: 6 }).map(form);
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
  const variants: fc.WeightedArbitrary<{ url: string; exact: boolean }>[] = [
    { weight: 6, arbitrary: fc.constant({ url: p, exact: true }) },
    { weight: 3, arbitrary: query.map((q) => ({ url: `${p}?${q}`, exact: true })) },
    { weight: 1, arbitrary: variant.map((url) => ({ url, exact: false })) },
  ];
  if (spec.queries?.length) {
    const known = fc.constantFrom(...spec.queries);
    variants.push(
      { weight: 4, arbitrary: known.map((q) => ({ url: `${p}?${q}`, exact: true })) },
      // Repeated and conflicting parameters: a valid query followed by hostile pairs (or itself again), or by
      // text no encoder would produce (bad percent-encoding, brackets, empty names).
      { weight: 2, arbitrary: fc.tuple(known, fc.oneof(query, known)).map(([a, b]) => ({ url: `${p}?${a}&${b}`, exact: true })) },
      { weight: 1, arbitrary: fc.tuple(known, fc.constantFrom(...RAW_QUERIES)).map(([a, b]) => ({ url: `${p}?${a}&${b}`, exact: true })) },
    );
  }
  return fc.oneof(...variants);
}

export interface HostileCase {
  options: InjectOptions;
  /** The request addresses the endpoint itself (method and path), so the endpoint's error format applies. */
  exact: boolean;
}

export function hostileRequest(spec: HostileSpec): fc.Arbitrary<HostileCase> {
  const others = spec.otherMethods ?? ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant(spec.method) }, { weight: 1, arbitrary: fc.constantFrom(...others) as fc.Arbitrary<InjectOptions['method'] & string> });
  return fc.record({ method, path: hostilePath(spec), body: hostileBody(spec), headers: hostileHeaders(spec) }).map(({ method, path, body, headers }) => {
    const h: Record<string, string> = { ...headers };
    if (body.contentType !== undefined) h['content-type'] = body.contentType;
    const withBody = method !== 'GET' && method !== 'HEAD' && body.body !== undefined;
    return {
      options: { method, url: path.url, headers: h, ...(withBody ? { payload: body.body } : {}) } as InjectOptions,
      exact: path.exact && method === spec.method,
    };
  });
}

/** A digest of every row of every table: equal digests mean the database did not change. */
export async function databaseDigest(store: SqlStore): Promise<string> {
  const hash = createHash('sha256');
  for (const table of ['token_families', 'sessions', 'clients', 'resource_servers', 'client_grants', 'signing_keys', 'server_secrets', 'security_events']) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    const text = rows.map((r) => JSON.stringify(r)).sort();
    hash.update(`${table}\n${text.join('\n')}\n`);
  }
  return hash.digest('hex');
}

type InjectAnswer = Awaited<ReturnType<FastifyInstance['inject']>>;

export interface FuzzStats {
  cases: number;
  rejected: number;
  accepted: number;
  batches: number;
  /** Batches whose database digest was compared before and after (and found equal). */
  unchangedBatches: number;
  statuses: Record<number, number>;
}

/**
 * Runs generated requests against an app in batches through inject(); `check` asserts on each answer. The
 * database must be unchanged after every batch in which no answer `mayChange` (by default: any accepted
 * answer may; an API whose generated requests can only be refused or be no-ops passes `() => false`, and then
 * every batch is compared).
 */
export async function fuzzEndpoint(
  app: FastifyInstance,
  store: SqlStore,
  arbitrary: fc.Arbitrary<HostileCase>,
  options: {
    cases: number;
    batch?: number;
    seed?: number;
    check: (c: HostileCase, res: InjectAnswer) => void;
    mayChange?: (c: HostileCase, res: InjectAnswer) => boolean;
  },
): Promise<FuzzStats> {
  const batch = options.batch ?? 25;
  const mayChange = options.mayChange ?? ((_c: HostileCase, res: InjectAnswer) => res.statusCode < 400);
  const stats: FuzzStats = { cases: 0, rejected: 0, accepted: 0, batches: 0, unchangedBatches: 0, statuses: {} };
  // fast-check prints whole counterexamples; some are 200 KB bodies, so the report is cut to something readable.
  await assertShort(
    fc.assert(
    fc.asyncProperty(fc.array(arbitrary, { minLength: batch, maxLength: batch }), async (cases) => {
      const before = await databaseDigest(store);
      const answers = await Promise.all(cases.map((c) => app.inject(c.options)));
      let anyMayChange = false;
      stats.batches++;
      answers.forEach((res, i) => {
        stats.cases++;
        stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode < 400) stats.accepted++;
        else stats.rejected++;
        options.check(cases[i]!, res);
        if (mayChange(cases[i]!, res)) anyMayChange = true;
      });
      // Rejected requests change nothing: compared per batch, over every row of every table.
      if (!anyMayChange) {
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

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** Sends one generated case over a real socket (what inject() cannot show: Node's own HTTP parsing). */
export function overHttp(baseUrl: string, c: HostileCase): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const o = c.options as { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer };
  // Framed as inject() frames it: Node's client sends a DELETE, GET or OPTIONS body with neither Content-Length nor
  // chunking, so the server would rightly read that body as the start of a second, malformed request.
  const headers = o.payload !== undefined ? { ...o.headers, 'content-length': String(Buffer.byteLength(o.payload)) } : o.headers;
  return new Promise((ok, fail) => {
    // One connection per request: a keep-alive socket the server closes after an error must not fail the next case.
    const req = request({ agent: false, host: url.hostname, port: url.port, method: o.method, path: o.url.replace(/#.*$/, ''), headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', fail);
    req.end(o.payload);
  });
}

async function assertShort(run: Promise<void>): Promise<void> {
  try {
    await run;
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    throw new Error(`${String((err as Error).message).slice(0, 300)}…\ncause: ${String(cause?.message ?? '').slice(0, 1500)}`);
  }
}
