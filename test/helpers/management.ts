import { ManagementClient } from 'auth0';
import { MGMT_CLIENT, secretOf } from './fixtures.js';
import { post, type HttpResult, type TestServer } from './server.js';

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
