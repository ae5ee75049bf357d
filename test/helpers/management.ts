import { ManagementClient } from 'auth0';
import { API, MGMT_CLIENT, secretOf } from './fixtures.js';
import { post, type HttpResult, type TestServer } from './server.js';
import { exchange, familyIdOf, refresh, verifyAccessToken } from './tokens.js';

/** A Management API access token for the fixture `mgmt` client, by client credentials over HTTP. */
export async function managementToken(server: TestServer, scope?: string): Promise<string> {
  const params: Record<string, string> = {
    grant_type: 'client_credentials',
    client_id: MGMT_CLIENT,
    client_secret: secretOf(MGMT_CLIENT),
    audience: server.refreshd.managementAudience,
  };
  if (scope !== undefined) params.scope = scope;
  const r = await post<{ access_token: string }>(server, '/oauth/token', params);
  if (r.status !== 200) throw new Error(`management token: ${r.status} ${r.text}`);
  return r.body.access_token;
}

export interface ApiOptions {
  token?: string | null;
  /** A value to send as JSON, or a string sent as is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One raw Management API call: `path` is relative to /api/v2 (or absolute when it starts with /api). */
export async function api<T = Record<string, unknown>>(server: TestServer, method: string, path: string, options: ApiOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const url = `${server.baseUrl}${path.startsWith('/api') ? path : `/api/v2${path}`}`;
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** The SDK always builds https://{domain}; this fetch sends the same request over plain HTTP (auth0-sdk.md §2). */
export const httpFetch: typeof fetch = (input, init) =>
  fetch(String(input instanceof Request ? input.url : input).replace(/^https:\/\//, 'http://'), init);

/** The domain the SDK is given: host and port of a server started with `realIssuer`. */
export function domainOf(server: TestServer): string {
  return new URL(server.baseUrl).host;
}

/** The official SDK obtaining its own token by client credentials, as production code would. */
export function sdkWithClientCredentials(server: TestServer, clientId = MGMT_CLIENT): ManagementClient {
  return new ManagementClient({ domain: domainOf(server), clientId, clientSecret: secretOf(clientId), fetch: httpFetch, maxRetries: 0, timeoutInSeconds: 10 });
}

/** The official SDK with a static token. */
export function sdkWithToken(server: TestServer, token: string): ManagementClient {
  return new ManagementClient({ domain: domainOf(server), token, fetch: httpFetch, maxRetries: 0, timeoutInSeconds: 10 });
}

export interface IssuedToken {
  refreshToken: string;
  /** The Management API id (the family id). */
  id: string;
  sessionId: string;
  accessToken: string;
}

/** Issues a refresh token by token exchange and returns it with its Management API id and session id. */
export async function issueToken(server: TestServer, opts: Parameters<typeof exchange>[1] = {}): Promise<IssuedToken> {
  const r = await exchange(server, opts);
  if (r.status !== 200 || !r.body.refresh_token) throw new Error(`issuance failed: ${r.status} ${r.text}`);
  const claims = await verifyAccessToken(server, r.body.access_token, opts.audience ?? API);
  return { refreshToken: r.body.refresh_token, id: familyIdOf(r.body.refresh_token), sessionId: claims.sid as string, accessToken: r.body.access_token };
}

/** Whether a refresh token still works at /oauth/token (for a rotating client this rotates it: use it last). */
export async function refreshWorks(server: TestServer, token: string, clientId = 'backend'): Promise<boolean> {
  const r = await refresh(server, token, { clientId });
  if (r.status !== 200 && r.status !== 403) throw new Error(`unexpected refresh answer ${r.status} ${r.text}`);
  return r.status === 200;
}

let userCounter = 0;
/** A user id no other test uses, with the `|` Auth0 ids have (so URL encoding is exercised). */
export function freshUser(prefix = 'user'): string {
  userCounter++;
  return `auth0|${prefix}-${process.pid}-${userCounter}`;
}

/** Auth0's error envelope, exactly. */
export function envelopeOf(statusCode: number, errorCode: string, message: string): Record<string, unknown> {
  const reasons: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 429: 'Too Many Requests', 503: 'Service Unavailable' };
  return { statusCode, error: reasons[statusCode], message, errorCode };
}
