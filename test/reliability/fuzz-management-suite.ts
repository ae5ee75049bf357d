import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { MANAGEMENT_SCOPES } from '../../src/core/types.js';
import type { StoreDialect } from '../../src/ports/store.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { API, MGMT_CLIENT, secretOf } from '../helpers/fixtures.js';
import { fuzzEndpoint, hostileRequest, overHttp, type FuzzStats, type HostileCase, type HostileSpec } from '../helpers/fuzz.js';
import { api, issueToken, managementToken, type IssuedToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { reportFigures, scaled } from '../helpers/soak.js';
import { exchange } from '../helpers/tokens.js';

/**
 * Hostile input on every route of the Management API (/api/v2), the counterpart of fuzz-oauth-suite.ts. Most
 * generated requests carry a valid bearer token with every scope, so they reach validation and the handlers;
 * path parameters come from real ids (live and dead) mixed with hostile strings.
 *
 * The database check: GETs never change anything, so every batch is compared. Destructive routes (DELETE,
 * revoke) are given only ids whose deletion is a no-op (already revoked or deleted data, a user with nothing
 * left, live ids of another kind: a session id as a refresh-token id…), so their accepted answers must change
 * nothing either and every batch is compared too: a live row that disappears is a bug. PATCH gets live ids and
 * valid bodies, so batches with an accepted PATCH are the only ones not compared.
 */

const CASES = scaled(10_000, 200_000);
const HTTP_SAMPLE = scaled(100, 2_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const PREFIX = '/api/v2';

const LIVE_USER = 'auth0|fuzz-live-alpha';
const DEAD_USER = 'google-oauth2|fuzz-gone-omega';
const NOBODY = 'auth0|nobody-here';

type Answer = { statusCode: number; headers: Record<string, string | string[] | number | undefined>; body: string };

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Large answers repeat (the OpenAPI document, full pages): each distinct one is parsed once. */
const parsedLarge = new Set<string>();
function isJson(body: string): boolean {
  if (body.length > 4096 && parsedLarge.has(body)) return true;
  if (parse(body) === undefined) return false;
  if (body.length > 4096 && parsedLarge.size < 100) parsedLarge.add(body);
  return true;
}

/** Auth0's Management envelope, exactly as management-errors.ts builds it: these four keys, no others. */
function isManagementError(res: Answer): boolean {
  const b = parse(res.body) as Record<string, unknown> | undefined;
  return (
    typeof b === 'object' && b !== null && !Array.isArray(b) &&
    Object.keys(b).sort().join() === 'error,errorCode,message,statusCode' &&
    b.statusCode === res.statusCode &&
    b.error === STATUS_CODES[res.statusCode] &&
    typeof b.message === 'string' && b.message.length > 0 &&
    typeof b.errorCode === 'string' && /^[a-z_]+$/.test(b.errorCode)
  );
}

/** The app's own envelope outside /api/v2 (an upper-cased prefix, a 5,000-character path). */
function isAppError(res: Answer): boolean {
  const b = parse(res.body) as Record<string, unknown> | undefined;
  return typeof b === 'object' && b !== null && Object.keys(b).sort().join() === 'error,message,statusCode' && b.statusCode === res.statusCode;
}

/**
 * Whether the server saw a path under /api/v2/. inject() resolves the URL as a browser would (dot segments, even
 * percent-encoded ones, are removed); a raw socket sends the path as it is.
 */
function underPrefix(url: string, via: 'inject' | 'http'): boolean {
  const path = via === 'inject' ? new URL(url, 'http://localhost').pathname : url;
  return path.startsWith(`${PREFIX}/`);
}

/** The request, cut short (bodies run to a megabyte), for a failure message. */
function describeCase(c: HostileCase): string {
  const o = c.options as { payload?: string | Buffer };
  const payload = o.payload === undefined ? undefined : String(o.payload).slice(0, 300);
  return JSON.stringify({ ...c.options, payload }).slice(0, 800);
}

/** Bytes of the request line and headers. */
function headSize(c: HostileCase): number {
  const headers = (c.options.headers ?? {}) as Record<string, string>;
  return String(c.options.url).length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0);
}

/** The contract under hostile input: never 5xx; every refusal under /api/v2 is Auth0's envelope; 2xx answers are JSON. */
function checkManagement(c: HostileCase, res: Answer, via: 'inject' | 'http' = 'inject'): void {
  // Messages are built only on failure: formatting every answer would cost more than the requests themselves.
  const expect = (ok: boolean, label: string) => {
    if (!ok) assert.fail(`${label}: ${res.statusCode} ${res.body.slice(0, 300)} for ${describeCase(c)}`);
  };
  expect(res.statusCode < 500, '5xx on bad input');
  if (c.options.method === 'HEAD') return;
  if (res.statusCode < 300) {
    if (res.statusCode === 202) expect(res.body === '{}', '202 without {}');
    else if (res.statusCode === 204) expect(res.body === '', '204 with a body');
    else expect(isJson(res.body), '2xx without JSON');
    return;
  }
  if (underPrefix(String(c.options.url), via)) {
    expect(isManagementError(res), "not Auth0's error envelope");
    expect(/^application\/json/.test(String(res.headers['content-type'])), 'not JSON');
    if (res.statusCode === 401) expect(/^Bearer realm="refreshd"/.test(String(res.headers['www-authenticate'])), '401 without a Bearer challenge');
  } else {
    expect(isAppError(res) || isManagementError(res), 'unexpected answer off the API');
  }
}

/** How a route's accepted answers relate to the database (see the header comment). */
/**
 * never: no answer may change anything; noop: accepted answers change nothing either (destructive routes given no
 * live ids); accepted: an accepted answer may change something, and most batches hold none; creates: every valid
 * request creates a row, so only batches without an accepted answer are compared.
 */
type Writes = 'never' | 'noop' | 'accepted' | 'creates';

interface Route {
  method: HostileSpec['method'];
  path: string;
  writes: Writes;
  params?: Record<string, readonly string[]>;
  keys?: readonly string[];
  values?: readonly string[];
  queries?: readonly string[];
  bodies?: readonly string[];
  /** Values for particular query or body keys, over the general ones (destructive routes: no live ids). */
  keyValues?: Record<string, readonly string[]>;
  /** Wrong methods to send now and then: never DELETE or PATCH where the pool holds live ids. */
  otherMethods?: readonly string[];
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const HARMLESS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'];

/** Values valid somewhere on the API but harmless anywhere: numbers, booleans, a client, an API, unknown ids. */
const COMMON = ['', '0', '1', '-1', '2', '50', '100', '101', '1.5', '1e1', '0x10', ' 1', 'true', 'false', 'TRUE', 'null', '[]', '{}', 'backend', MGMT_CLIENT, API, NOBODY, 'AAAAAAAAAAAAAAAAAAAAAA'];

/** One store's suite: each store has its own test file, so the two run in parallel processes (the longest files in `npm test`). */
export function hostileManagementSuite(kind: StoreDialect): void {
  describe(`hostile input on the Management API (${kind})`, () => {
    let server: TestServer;
    let token: string;
    let badAuth: Record<string, string>;
    let routes: Route[];
    let live: IssuedToken[];
    let baselineLogs: string[];
    let keyValues: Record<string, readonly string[]>;
    /** Clients created through the API (the file's are refused): one the fuzz PATCHes, one public. */
    let apiClient: string;
    let spaClient: string;
    /** An API and a grant created through the API (the file's are refused): the fuzz PATCHes them, never deletes them. */
    let apiResourceServer: string;
    let apiGrant: string;
    const figures: Record<string, unknown> = {};
    let started = 0;

    before(async () => {
      started = Date.now();
      server = await startServer(kind, { recordEvents: true });
      token = await managementToken(server);
      const ok = async (method: string, path: string, body?: unknown) => {
        const r = await api(server, method, path, { token, ...(body !== undefined ? { body } : {}) });
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
        return r.body;
      };

      // Live data the fuzz reads and PATCHes but must never delete (checked at the end).
      live = [await issueToken(server, { userId: LIVE_USER }), await issueToken(server, { userId: LIVE_USER }), await issueToken(server, { userId: LIVE_USER, clientId: 'backend-static' })];
      await ok('PATCH', `/refresh-tokens/${live[0]!.id}`, { refresh_token_metadata: { fuzz: 'same' } });
      await ok('PATCH', `/sessions/${live[0]!.sessionId}`, { session_metadata: { fuzz: 'same' } });
      // Dead data: a revoked family of the live user, and a user whose tokens are revoked and sessions deleted.
      const revoked = await issueToken(server, { userId: LIVE_USER });
      await ok('DELETE', `/refresh-tokens/${revoked.id}`);
      const dead = [await issueToken(server, { userId: DEAD_USER }), await issueToken(server, { userId: DEAD_USER })];
      await ok('DELETE', `/users/${encodeURIComponent(DEAD_USER)}/refresh-tokens`);
      await ok('DELETE', `/users/${encodeURIComponent(DEAD_USER)}/sessions`);
      apiResourceServer = ((await ok('POST', '/resource-servers', { identifier: 'https://fuzz-api.example.com', scopes: [{ value: 'read:fuzz' }, { value: 'write:fuzz' }] })) as { id: string }).id;
      apiClient = ((await ok('POST', '/clients', { name: 'fuzz-api', grant_types: ['client_credentials'] })) as { client_id: string }).client_id;
      spaClient = ((await ok('POST', '/clients', { name: 'fuzz-spa', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'] })) as { client_id: string }).client_id;
      apiGrant = ((await ok('POST', '/client-grants', { client_id: apiClient, audience: 'https://fuzz-api.example.com', scope: ['read:fuzz'] })) as { id: string }).id;
      // Real cursors (one per listing) and real log ids.
      const u = encodeURIComponent(LIVE_USER);
      const rtCursor = ((await ok('GET', `/users/${u}/refresh-tokens?take=1`)) as { next: string }).next;
      const listCursor = ((await ok('GET', `/refresh-tokens?user_id=${u}&take=1`)) as { next: string }).next;
      const sessionCursor = ((await ok('GET', `/users/${u}/sessions?take=1`)) as { next: string }).next;
      assert.ok(rtCursor && listCursor && sessionCursor, 'cursors');
      await server.recorder!.flush();
      baselineLogs = ((await ok('GET', '/logs?per_page=100')) as unknown as { log_id: string }[]).map((l) => l.log_id);
      const logIds = baselineLogs.slice(0, 4);
      assert.ok(logIds.length >= 2, 'log ids');

      // Authorization headers that are not a valid all-scope token: narrow scope, another audience, expired,
      // wrongly signed, client credentials instead of a token; and valid spellings (case, spaces).
      const { kid, key } = await server.refreshd.keys.signingKey('RS256');
      const now = Math.floor(server.clock.now() / 1000);
      const claims = { iss: server.issuer, aud: server.refreshd.managementAudience, sub: 'mgmt@clients', azp: 'mgmt', scope: MANAGEMENT_SCOPES.join(' ') };
      const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 }).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
      const otherIssuer = await new SignJWT({ ...claims, iss: 'https://evil.example.com/', iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
      const apiToken = (await exchange(server, { userId: 'auth0|fuzz-api-caller' })).body.access_token;
      badAuth = {
        readLogsOnly: `Bearer ${await managementToken(server, 'read:logs')}`,
        readOnly: `Bearer ${await managementToken(server, 'read:refresh_tokens read:sessions')}`,
        apiAudience: `Bearer ${apiToken}`,
        expired: `Bearer ${expired}`,
        otherIssuer: `Bearer ${otherIssuer}`,
        badSignature: `Bearer ${token.slice(0, -4)}AAAA`,
        truncated: `Bearer ${token.slice(0, -1)}`,
        fourParts: `Bearer ${token}.x`,
        twice: `Bearer ${token} Bearer ${token}`,
        basic: `Basic ${Buffer.from(`${MGMT_CLIENT}:${secretOf(MGMT_CLIENT)}`).toString('base64')}`,
        lowerCase: `bearer ${token}`,
        spaces: `Bearer   ${token}  `,
        empty: 'Bearer ',
      };

      const liveRt = live.map((t) => t.id);
      const liveSid = [...new Set(live.map((t) => t.sessionId))];
      const deadRt = [revoked.id, ...dead.map((t) => t.id)];
      const deadSid = dead.map((t) => t.sessionId);
      const everything = [...COMMON, LIVE_USER, DEAD_USER, ...liveRt, ...liveSid, ...deadRt, ...deadSid, ...logIds, rtCursor, listCursor, sessionCursor];
      /** For destructive routes: every value but the kinds the route would delete. */
      const without = (...forbidden: string[]) => everything.filter((v) => !forbidden.includes(v));
      const noLiveRt = without(...liveRt, LIVE_USER);
      const noLiveSid = without(...liveSid, LIVE_USER);
      const paging = ['include_totals', 'from', 'take'];
      const pageQueries = (cursor: string) => ['take=1', 'take=100', 'include_totals=true', 'include_totals=false&take=2', `from=${cursor}`, `from=${cursor}&take=1&include_totals=true`, 'from=', 'take=0', 'take=101', 'take=1.0'];
      const meta = (field: string) => [
        `{"${field}":{"fuzz":"same"}}`,
        `{"${field}":{"fuzz":"other","k-2":"v"}}`,
        `{"${field}":null}`,
        `{"${field}":{}}`,
        `{"${field}":{"a b":"c"}}`,
        `{"${field}":{"a":1}}`,
        `{"${field}":{"a":"${'x'.repeat(256)}"}}`,
        `{"${field}":${JSON.stringify(Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, 'v'])))}}`,
        `{"${field}":{"constructor":{"prototype":{"x":"y"}}}}`,
        `{"${field}":{"__proto__":{"x":"y"}}}`,
        `{"${field}":[]}`,
        `{"${field}":"{}"}`,
        `{"${field}":{"fuzz":"same"},"extra":true}`,
        `{"${field}":{"fuzz":"same"},"${field}":null}`,
        '{}',
        'null',
        '[]',
      ];

      const numbers = ['1', '2', '50', '100', '0', '101', '999', '1000', '-1', '1.5', '01', '1e2'];
      const booleans = ['true', 'false', '1', '0', 'yes', 'True'];
      const search = ['type:sapi', 'type:secte', `user_id:"${LIVE_USER}"`, `user_id:${DEAD_USER}`, 'client_id:mgmt', 'type:', 'user_id:', 'user_id:"', 'client_id:"', 'type:sapi AND user_id:', 'ip:1.2.3.4'];
      keyValues = {
        user_id: [LIVE_USER, DEAD_USER, NOBODY], client_id: ['backend', 'backend-static', MGMT_CLIENT], audience: [API],
        from: [rtCursor, listCursor, sessionCursor, ...logIds], take: numbers, page: numbers, per_page: numbers,
        include_totals: booleans, include_fields: booleans, sort: ['date:1', 'date:-1'], q: search, search,
        fields: ['id,user_id', 'id', 'refresh_token_metadata,device', 'log_id,type', 'details', 'id,,id', ' id'],
        ids: deadRt, session_id: [...liveSid, ...deadSid], preserve_refresh_tokens: booleans,
      };
      const deadOnly = { user_id: [DEAD_USER, NOBODY] };
      // Client ids: the file's (changes refused, 409), the API's, unknown and hostile-looking ones.
      const clientIds = ['backend', MGMT_CLIENT, 'spa', apiClient, spaClient, 'no-such-client', liveRt[0]!, 'a'.repeat(64)];
      const unchangeable = clientIds.filter((c) => c !== apiClient);
      const undeletable = unchangeable.filter((c) => c !== spaClient);
      const fileGrant = (await server.store.listClientGrants()).find((g) => g.clientId === MGMT_CLIENT)!.id;
      const apiIds = [API, encodeURIComponent(API), apiResourceServer, 'https://fuzz-api.example.com', server.refreshd.managementAudience, 'https://nowhere.example.com', '0123456789abcdef01234567', 'a'.repeat(600)];
      // Stay unknown for the whole run: POST never creates them, so DELETE and grants on them stay no-ops.
      const unknownApis = ['https://nowhere.example.com', '0123456789abcdef01234567'];
      const undeletableApis = apiIds.filter((a) => a !== apiResourceServer && a !== 'https://fuzz-api.example.com');
      const apiKeys = ['identifier', 'name', 'scopes', 'allow_offline_access', 'token_lifetime', 'signing_alg', 'token_dialect'];
      const apiBodies = [
        '{"name":"fuzz api"}', '{"scopes":[{"value":"read:fuzz"},{"value":"write:fuzz"}]}', '{"allow_offline_access":true,"token_lifetime":600}', '{"signing_alg":"ES256"}',
        '{"signing_alg":"HS256"}', '{"token_lifetime":0}', '{"token_lifetime":2592001}', '{"scopes":[{"value":"a b"}]}', '{"scopes":[{"value":"x"},{"value":"x"}]}', '{"scopes":"read"}',
        '{"identifier":"https://other.example.com"}', '{"enforce_policies":true,"token_dialect":"access_token"}', '{"name":""}', '{"is_system":true}',
      ];
      const grantIds = [apiGrant, fileGrant, 'no-such-grant', liveRt[0]!, 'a'.repeat(64)];
      const grantKeys = ['client_id', 'audience', 'scope', 'subject_type', 'organization_usage'];
      const grantBodies = [
        '{"scope":["read:fuzz"]}', '{"scope":["read:fuzz","write:fuzz"]}', '{"scope":[]}', '{"scope":["nope"]}', '{"scope":"read:fuzz"}', '{"scope":["read:fuzz","read:fuzz"]}',
        '{"organization_usage":"deny"}', '{"client_id":"backend"}', '{"audience":"x"}', `{"client_id":"backend","audience":${JSON.stringify(API)},"scope":["read:data"]}`,
        `{"client_id":"no-such-client","audience":${JSON.stringify(API)},"scope":[]}`, `{"client_id":"backend","audience":"https://nowhere.example.com","scope":[]}`,
        `{"client_id":"backend","audience":${JSON.stringify(server.refreshd.managementAudience)},"scope":[],"subject_type":"user"}`, `{"client_id":"backend","audience":${JSON.stringify(API)},"scope":[],"subject_type":"robot"}`,
      ];
      const clientKeys = ['name', 'client_secret', 'token_endpoint_auth_method', 'grant_types', 'is_token_endpoint_ip_header_trusted', 'refresh_token', 'web_origins', 'token_exchange_target_clients', 'callbacks', 'app_type'];
      const clientBodies = [
        '{"name":"fuzz-api"}', '{"name":"fuzz-api","callbacks":["https://x.example.com"],"app_type":"regular_web"}',
        '{"refresh_token":{"rotation_type":"rotating","expiration_type":"expiring","leeway":5,"token_lifetime":600,"idle_token_lifetime":60}}',
        '{"refresh_token":null}', '{"web_origins":["https://fuzz.example.com"]}', '{"grant_types":["client_credentials"]}',
        '{"client_secret":"0123456789abcdef0123456789abcdef"}', '{"token_endpoint_auth_method":"none"}', '{"grant_types":["nope"]}', '{"grant_types":["refresh_token","refresh_token"]}',
        '{"refresh_token":{"rotation_type":"sometimes"}}', '{"refresh_token":{"leeway":-1}}', '{"refresh_token":{"expiration_type":"expiring","token_lifetime":60,"idle_token_lifetime":120,"infinite_token_lifetime":false,"infinite_idle_token_lifetime":false}}',
        '{"web_origins":["https://a.example.com/path"]}', '{"web_origins":["javascript:alert(1)"]}', '{"name":""}', '{"name":"\\u0000"}', '{"token_exchange_target_clients":["backend"]}',
        '{"client_authentication_methods":{}}', '{"is_token_endpoint_ip_header_trusted":"yes"}', '{"refresh_token":{"policies":[{"audience":"x","scope":[]}]}}',
      ];

      routes = [
        {
          method: 'GET', path: '/refresh-tokens/{id}', writes: 'never',
          params: { id: [...liveRt, ...deadRt, ...liveSid, logIds[0]!] }, keys: ['fields', 'include_fields'], values: everything, otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'PATCH', path: '/refresh-tokens/{id}', writes: 'accepted',
          params: { id: [...liveRt, ...deadRt, ...liveSid] }, keys: ['refresh_token_metadata'], values: everything, bodies: meta('refresh_token_metadata'), otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'DELETE', path: '/refresh-tokens/{id}', writes: 'noop',
          params: { id: [...deadRt, ...liveSid, logIds[0]!] }, keys: ['id'], values: noLiveRt, keyValues: deadOnly,
        },
        {
          method: 'GET', path: '/refresh-tokens', writes: 'never',
          keys: ['user_id', 'client_id', 'from', 'take', 'fields', 'include_fields'],
          values: [...everything, 'id,user_id', 'id, rotating', 'nope', 'refresh_token_metadata,device'],
          queries: [
            `user_id=${u}`, `user_id=${u}&take=1`, `user_id=${u}&from=${listCursor}&take=1`, `user_id=${u}&from=${rtCursor}`,
            `user_id=${u}&client_id=backend`, `user_id=${u}&client_id=backend-static&take=1`, `user_id=${u}&fields=id,user_id&include_fields=false`,
            `user_id=${u}&fields=id&include_fields=true`, `user_id=${u}&fields=nope`, `user_id=${encodeURIComponent(DEAD_USER)}`, 'client_id=backend', `user_id=${u}&user_id=${u}`,
          ],
        },
        {
          method: 'POST', path: '/refresh-tokens/revoke', writes: 'noop',
          keys: ['ids', 'user_id', 'client_id', 'audience'], values: noLiveRt, keyValues: deadOnly,
          bodies: [
            `{"ids":${JSON.stringify(deadRt)}}`, `{"ids":${JSON.stringify(liveSid)}}`, `{"user_id":${JSON.stringify(DEAD_USER)}}`,
            `{"user_id":${JSON.stringify(DEAD_USER)},"client_id":"backend"}`, `{"user_id":${JSON.stringify(DEAD_USER)},"client_id":"backend","audience":${JSON.stringify(API)}}`,
            `{"user_id":${JSON.stringify(NOBODY)},"audience":${JSON.stringify(API)}}`, '{"client_id":"backend"}', `{"ids":[],"user_id":${JSON.stringify(DEAD_USER)}}`,
            `{"ids":${JSON.stringify(Array.from({ length: 101 }, (_, i) => `id${i}`))}}`, `{"ids":[${JSON.stringify(deadRt[0])},${JSON.stringify(deadRt[0])}]}`, '{"ids":"x"}', '{}',
          ],
        },
        {
          method: 'GET', path: '/users/{user_id}/refresh-tokens', writes: 'never',
          params: { user_id: [LIVE_USER, DEAD_USER, NOBODY, liveRt[0]!] }, keys: paging, values: everything, queries: pageQueries(rtCursor), otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'DELETE', path: '/users/{user_id}/refresh-tokens', writes: 'noop',
          params: { user_id: [DEAD_USER, NOBODY, ...liveRt, ...liveSid] }, keys: ['user_id'], values: noLiveRt, keyValues: deadOnly,
        },
        {
          method: 'GET', path: '/sessions/{id}', writes: 'never',
          params: { id: [...liveSid, ...deadSid, ...liveRt] }, keys: ['fields'], values: everything, otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'PATCH', path: '/sessions/{id}', writes: 'accepted',
          params: { id: [...liveSid, ...deadSid, ...liveRt] }, keys: ['session_metadata'], values: everything, bodies: meta('session_metadata'), otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'DELETE', path: '/sessions/{id}', writes: 'noop',
          params: { id: [...deadSid, ...liveRt, LIVE_USER] }, keys: ['id'], values: noLiveSid, keyValues: deadOnly,
        },
        {
          method: 'POST', path: '/sessions/{id}/revoke', writes: 'noop',
          params: { id: [...deadSid, ...liveRt, LIVE_USER] }, keys: ['id'], values: noLiveSid, bodies: ['{}', 'null', '{"preserve_refresh_tokens":true}'], keyValues: deadOnly,
        },
        {
          method: 'GET', path: '/users/{user_id}/sessions', writes: 'never',
          params: { user_id: [LIVE_USER, DEAD_USER, NOBODY, liveSid[0]!] }, keys: paging, values: everything, queries: pageQueries(sessionCursor), otherMethods: HARMLESS_METHODS,
        },
        {
          method: 'DELETE', path: '/users/{user_id}/sessions', writes: 'noop',
          params: { user_id: [DEAD_USER, NOBODY, ...liveSid, ...liveRt] }, keys: ['user_id'], values: noLiveSid, keyValues: deadOnly,
        },
        {
          // Another user's live session id in the body must delete nothing: only the path's user is touched.
          method: 'POST', path: '/users/{user_id}/revoke-access', writes: 'noop',
          params: { user_id: [DEAD_USER, NOBODY, ...liveSid, ...liveRt] }, keys: ['session_id', 'preserve_refresh_tokens'], keyValues: deadOnly,
          values: [...without(LIVE_USER), ...liveSid],
          bodies: [
            '{}', `{"session_id":${JSON.stringify(liveSid[0])}}`, `{"session_id":${JSON.stringify(liveSid[0])},"preserve_refresh_tokens":true}`,
            `{"session_id":${JSON.stringify(deadSid[0])},"preserve_refresh_tokens":false}`, '{"preserve_refresh_tokens":"true"}', '{"session_id":""}', '{"session_id":null}', 'null',
          ],
        },
        {
          method: 'GET', path: '/logs', writes: 'never',
          keys: ['from', 'take', 'page', 'per_page', 'sort', 'include_totals', 'q', 'search', 'fields', 'include_fields'],
          values: [
            ...everything, 'date:1', 'date:-1', 'date', '999', '1000', 'type:sapi', `user_id:"${LIVE_USER}"`, `user_id:${LIVE_USER} AND type:sapi`, 'client_id:mgmt',
            'type:"sapi" AND client_id:"mgmt"', 'ip:127.0.0.1', 'type:', 'user_id:', 'client_id:"', 'type:sapi AND user_id:', 'log_id,type', 'log_id, details', 'details',
          ],
          queries: [
            `from=${logIds[0]}`, `from=${logIds[1]}&take=1`, `from=${logIds[0]}&take=100&page=3`, 'page=1&per_page=2', 'page=0&per_page=100&include_totals=true',
            'page=9&per_page=100', 'page=10&per_page=100', 'sort=date:1', 'sort=date:-1&per_page=1', 'q=type:sapi', `q=user_id:"${encodeURIComponent(LIVE_USER)}"`,
            'search=client_id:mgmt&include_totals=true', 'fields=log_id,type&include_fields=true', 'fields=log_id&include_fields=false', 'fields=nope', 'q=type:sapi&search=type:secte',
          ],
        },
        {
          method: 'GET', path: '/logs/{id}', writes: 'never',
          params: { id: [...logIds, liveRt[0]!, logIds[0]!.toUpperCase(), `${logIds[0]!.slice(0, 15)}zzzzzzzzzz`] }, keys: ['fields'], values: everything,
        },
        {
          method: 'GET', path: '/clients', writes: 'never',
          keys: ['page', 'per_page', 'include_totals', 'fields', 'include_fields', 'is_global', 'is_first_party', 'app_type'], values: [...everything, 'spa', 'spa,non_interactive', 'client_id,name'],
          queries: ['page=0&per_page=2&include_totals=true', 'per_page=100', 'per_page=101', 'page=1&per_page=1', 'app_type=spa', 'is_global=true', 'is_first_party=false', 'include_totals=TRUE', 'page=-1'],
          otherMethods: HARMLESS_METHODS,
        },
        { method: 'GET', path: '/clients/{id}', writes: 'never', params: { id: clientIds }, keys: ['fields'], values: everything, otherMethods: HARMLESS_METHODS },
        {
          // Creates are accepted writes; the bodies are mostly invalid ones, so most batches hold none.
          method: 'POST', path: '/clients', writes: 'creates', keys: clientKeys, values: everything, otherMethods: HARMLESS_METHODS,
          bodies: ['{"name":"fuzz-created"}', '{"name":"fuzz-created","token_endpoint_auth_method":"none","grant_types":["refresh_token"]}', '{"name":"x","client_secret":"short"}', '{"name":"x","token_endpoint_auth_method":"none","client_secret":"0123456789abcdef0123456789abcdef"}', ...clientBodies.slice(6)],
        },
        {
          method: 'PATCH', path: '/clients/{id}', writes: 'accepted', params: { id: clientIds }, keys: clientKeys, values: everything, bodies: clientBodies, otherMethods: HARMLESS_METHODS,
        },
        // The file's clients are refused (409), the others unknown: nothing is ever deleted.
        { method: 'DELETE', path: '/clients/{id}', writes: 'noop', params: { id: undeletable }, keys: ['id'], values: COMMON },
        // The file's clients are refused, the public one has no secret, the others unknown: nothing rotates.
        { method: 'POST', path: '/clients/{id}/rotate-secret', writes: 'noop', params: { id: unchangeable }, keys: ['id'], values: COMMON, bodies: ['{}', 'null'] },
        {
          method: 'GET', path: '/resource-servers', writes: 'never', keys: ['page', 'per_page', 'include_totals', 'include_fields', 'identifiers'], values: [...everything, ...apiIds],
          queries: ['page=0&per_page=2&include_totals=true', `identifiers=${encodeURIComponent(API)}`, `identifiers=${encodeURIComponent(API)}&identifiers=x`, 'per_page=101', 'page=-1'],
          otherMethods: HARMLESS_METHODS,
        },
        { method: 'GET', path: '/resource-servers/{id}', writes: 'never', params: { id: apiIds }, keys: ['include_fields'], values: everything, otherMethods: HARMLESS_METHODS },
        {
          // Identifiers it may create are none that a later DELETE is given, so that DELETE stays a no-op.
          method: 'POST', path: '/resource-servers', writes: 'creates', keys: apiKeys, values: [...apiIds.filter((a) => !unknownApis.includes(a)), 'https://fuzz-created.example.com', 'urn:fuzz:created', 'read:fuzz', '600', 'true'], otherMethods: HARMLESS_METHODS,
          bodies: [`{"identifier":${JSON.stringify(API)}}`, '{"identifier":"https://fuzz-api.example.com","scopes":[]}', `{"identifier":${JSON.stringify(server.refreshd.managementAudience)}}`, '{"identifier":"https://fuzz-new.example.com"}', ...apiBodies],
        },
        { method: 'PATCH', path: '/resource-servers/{id}', writes: 'accepted', params: { id: apiIds }, keys: apiKeys, values: everything, bodies: apiBodies, otherMethods: HARMLESS_METHODS },
        // The file's and the Management API are refused, the others unknown. 'accepted', not 'noop': the POST run
        // before may have created an API whose identifier is one of the hostile strings (e.g. __proto__), and
        // deleting it is a 204 that rightly changes the database; batches of refusals are still compared.
        { method: 'DELETE', path: '/resource-servers/{id}', writes: 'accepted', params: { id: undeletableApis }, keys: ['id'], values: COMMON },
        {
          method: 'GET', path: '/client-grants', writes: 'never', keys: ['audience', 'client_id', 'subject_type', 'from', 'take', 'page', 'per_page', 'include_totals', 'allow_any_organization'],
          values: [...everything, 'user', 'client', apiClient, ...grantIds],
          queries: [`audience=${encodeURIComponent(API)}&take=2`, 'client_id=backend&subject_type=user', `from=${apiGrant}&take=1`, 'page=0&per_page=2&include_totals=true', 'take=0', 'take=101', 'subject_type=robot'],
          otherMethods: HARMLESS_METHODS,
        },
        { method: 'GET', path: '/client-grants/{id}', writes: 'never', params: { id: grantIds }, keys: ['fields'], values: everything, otherMethods: HARMLESS_METHODS },
        {
          method: 'POST', path: '/client-grants', writes: 'creates', keys: grantKeys, values: [...everything, apiClient, 'user', 'client'], otherMethods: HARMLESS_METHODS, bodies: grantBodies,
        },
        { method: 'PATCH', path: '/client-grants/{id}', writes: 'accepted', params: { id: grantIds }, keys: grantKeys, values: everything, bodies: grantBodies, otherMethods: HARMLESS_METHODS },
        // The file's grant is refused, the others unknown: nothing is deleted.
        { method: 'DELETE', path: '/client-grants/{id}', writes: 'noop', params: { id: grantIds.filter((g) => g !== apiGrant) }, keys: ['id'], values: COMMON },
        { method: 'GET', path: '/openapi.json', writes: 'never', keys: ['format'], values: everything },
      ];
      // Every route the plugin registers is here (the OpenAPI document lists them all, openapi.json aside).
      const documented = (await ok('GET', '/openapi.json')) as { paths: Record<string, Record<string, unknown>> };
      const listed = Object.entries(documented.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
      const fuzzed = routes.filter((r) => r.path !== '/openapi.json').map((r) => `${r.method} ${r.path}`).sort();
      assert.deepEqual(fuzzed, listed);
    });

    after(() => server.close());

    const specOf = (r: Route): HostileSpec => ({
      method: r.method,
      path: `${PREFIX}${r.path}`,
      keys: r.keys ?? [],
      values: r.values ?? COMMON,
      headers: badAuth,
      bearer: [token],
      bodyLimit: 1024 * 1024,
      compose: true,
      ...(r.params ? { params: r.params } : {}),
      ...(r.queries ? { queries: r.queries } : {}),
      keyValues: Object.fromEntries((r.keys ?? []).filter((k) => k in keyValues).map((k) => [k, r.keyValues?.[k] ?? keyValues[k]!])),
      otherMethods: (r.otherMethods ?? ALL_METHODS).filter((m) => m !== r.method),
      bodies: r.bodies ?? ['{}', 'null', '{"x":1}'],
    });

    // The route list is only known once the server runs; node:test needs the tests declared now, so they are
    // declared by index over the same table (checked against the OpenAPI document in before()).
    const NAMES = [
      'GET /refresh-tokens/{id}', 'PATCH /refresh-tokens/{id}', 'DELETE /refresh-tokens/{id}', 'GET /refresh-tokens', 'POST /refresh-tokens/revoke',
      'GET /users/{user_id}/refresh-tokens', 'DELETE /users/{user_id}/refresh-tokens', 'GET /sessions/{id}', 'PATCH /sessions/{id}', 'DELETE /sessions/{id}',
      'POST /sessions/{id}/revoke', 'GET /users/{user_id}/sessions', 'DELETE /users/{user_id}/sessions', 'POST /users/{user_id}/revoke-access', 'GET /logs',
      'GET /logs/{id}', 'GET /clients', 'GET /clients/{id}', 'POST /clients', 'PATCH /clients/{id}', 'DELETE /clients/{id}', 'POST /clients/{id}/rotate-secret',
      'GET /resource-servers', 'GET /resource-servers/{id}', 'POST /resource-servers', 'PATCH /resource-servers/{id}', 'DELETE /resource-servers/{id}',
      'GET /client-grants', 'GET /client-grants/{id}', 'POST /client-grants', 'PATCH /client-grants/{id}', 'DELETE /client-grants/{id}',
      'GET /openapi.json',
    ];

    NAMES.forEach((name, i) => {
      test(`${name}: ${CASES} generated requests (inject), ${HTTP_SAMPLE} over real HTTP — never 5xx, Auth0's envelope, the database unchanged`, async (t) => {
        const route = routes[i]!;
        assert.equal(`${route.method} ${route.path}`, name);
        const arbitrary = hostileRequest(specOf(route));
        const stats: FuzzStats = await fuzzEndpoint(server.app, server.store as SqlStore, arbitrary, {
          cases: CASES,
          check: checkManagement,
          ...(route.writes === 'accepted' || route.writes === 'creates' ? {} : { mayChange: () => false }),
          ...(SEED !== undefined ? { seed: SEED } : {}),
        });
        if (route.writes === 'creates') assert.ok(stats.unchangedBatches > 0, `some batches held no accepted write and were compared (${stats.unchangedBatches}/${stats.batches})`);
        else if (route.writes === 'accepted') assert.ok(stats.unchangedBatches > stats.batches / 2, `most batches held no accepted write and were compared (${stats.unchangedBatches}/${stats.batches})`);
        else assert.equal(stats.unchangedBatches, stats.batches, 'every batch was compared');
        t.diagnostic(JSON.stringify(stats));

        const cases = fc.sample(arbitrary, { numRuns: HTTP_SAMPLE, ...(SEED !== undefined ? { seed: SEED } : {}) });
        let framing = 0;
        for (let j = 0; j < cases.length; j += 20) {
          const batch = cases.slice(j, j + 20);
          const answers = await Promise.all(batch.map((c) => overHttp(server.baseUrl, c).catch((err: Error) => err)));
          answers.forEach((res, k) => {
            const c = batch[k]!;
            if (res instanceof Error) {
              // Over Node's 16 KiB limit the HTTP parser answers 431 with a body, which a client that sent HEAD
              // cannot frame: the same refusal as below, seen from the client.
              if (c.options.method === 'HEAD' && headSize(c) > 16 * 1024) return void framing++;
              throw new Error(`${res.message} for ${describeCase(c)}`);
            }
            // Node's HTTP parser refuses an oversized request line or headers (16 KiB) before any route runs.
            if (res.statusCode === 431) return void framing++;
            checkManagement(c, res, 'http');
          });
        }
        figures[name] = { ...stats, http: cases.length, httpRefusedByParser: framing };

        // The audit events of the accepted calls can all be stored (a hostile value in one would block the
        // recorder's batch, and every later event, for good); then the log is put back as it was.
        await server.recorder!.flush();
        assert.equal(server.recorder!.queued, 0, 'every queued security event was stored');
        await (server.store as SqlStore).db.deleteFrom('security_events').where('log_id', 'not in', baselineLogs).execute();
      });
    });

    test('the live data survived, the dead stayed dead, and a normal Management GET works afterwards', async (t) => {
      for (const t of live) {
        const r = await api(server, 'GET', `/refresh-tokens/${t.id}`, { token });
        assert.equal(r.status, 200, r.text);
        assert.equal((await api(server, 'GET', `/sessions/${t.sessionId}`, { token })).status, 200);
      }
      const list = await api<{ tokens: unknown[] }>(server, 'GET', `/users/${encodeURIComponent(LIVE_USER)}/refresh-tokens`, { token });
      assert.equal(list.status, 200);
      assert.equal(list.body.tokens.length, live.length);
      assert.equal((await api(server, 'GET', `/clients/${apiClient}`, { token })).status, 200, 'the API client survived');
      assert.equal((await api(server, 'GET', `/clients/${spaClient}`, { token })).status, 200, 'the public client survived');
      assert.equal((await api(server, 'GET', `/resource-servers/${apiResourceServer}`, { token })).status, 200, 'the API survived');
      assert.equal((await api(server, 'GET', `/client-grants/${apiGrant}`, { token })).status, 200, 'the grant survived');
      for (const rs of [API, server.refreshd.managementAudience]) assert.equal((await api(server, 'GET', `/resource-servers/${encodeURIComponent(rs)}`, { token })).status, 200);
      const gone = await api<{ tokens: unknown[] }>(server, 'GET', `/users/${encodeURIComponent(DEAD_USER)}/refresh-tokens`, { token });
      assert.deepEqual(gone.body.tokens, []);
      figures.seconds = Math.round((Date.now() - started) / 1000);
      reportFigures(t, `fuzz-management-${kind}`, figures);
    });
  });
}
