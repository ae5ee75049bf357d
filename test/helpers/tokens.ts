import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from './fixtures.js';
import { post, type HttpResult, type TestServer } from './server.js';

export interface TokenBody {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
  issued_token_type?: string;
  error?: string;
  error_description?: string;
}

/** Token exchange for `userId` by a confidential fixture client. */
export function exchange(
  server: { baseUrl: string },
  opts: {
    clientId?: string;
    userId?: string;
    audience?: string;
    scope?: string;
    sessionId?: string;
    targetClientId?: string;
    headers?: Record<string, string>;
    /** Authenticate with HTTP Basic (client_secret_basic) instead of the body. */
    basic?: boolean;
    /** Sent as `access_token_claims` (JSON-encoded unless already a string). */
    claims?: unknown;
    /** Sent as `refresh_token_metadata` (JSON-encoded unless already a string). */
    metadata?: unknown;
    /** Send a JSON body instead of a form. */
    json?: boolean;
  } = {},
): Promise<HttpResult<TokenBody>> {
  const clientId = opts.clientId ?? 'backend';
  const credentials: Record<string, string> = opts.basic ? {} : { client_id: clientId, client_secret: secretOf(clientId) };
  const headers = opts.basic ? { ...opts.headers, authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}` } : opts.headers;
  const params: Record<string, string> = {
    grant_type: TOKEN_EXCHANGE_GRANT,
    ...credentials,
    subject_token: opts.userId ?? 'auth0|user-1',
    subject_token_type: USER_ID_TOKEN_TYPE,
    audience: opts.audience ?? API,
    scope: opts.scope ?? 'openid offline_access read:data write:data',
  };
  if (opts.sessionId) params.session_id = opts.sessionId;
  if (opts.targetClientId) params.target_client_id = opts.targetClientId;
  const asParam = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (opts.claims !== undefined) params.access_token_claims = asParam(opts.claims);
  if (opts.metadata !== undefined) params.refresh_token_metadata = asParam(opts.metadata);
  return post<TokenBody>(server, '/oauth/token', params, { ...(headers ? { headers } : {}), ...(opts.json ? { json: true } : {}) });
}

/** A refresh grant by a fixture client (public clients send no secret). */
export function refresh(
  server: { baseUrl: string },
  refreshToken: string,
  opts: { clientId?: string; scope?: string; audience?: string; headers?: Record<string, string>; publicClient?: boolean } = {},
): Promise<HttpResult<TokenBody>> {
  const clientId = opts.clientId ?? 'backend';
  const params: Record<string, string> = { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken };
  if (!opts.publicClient) params.client_secret = secretOf(clientId);
  if (opts.scope !== undefined) params.scope = opts.scope;
  if (opts.audience !== undefined) params.audience = opts.audience;
  return post<TokenBody>(server, '/oauth/token', params, opts.headers ? { headers: opts.headers } : {});
}

/** Issues a refresh token and returns it (asserting issuance worked). */
export async function issueRefreshToken(server: { baseUrl: string }, opts: Parameters<typeof exchange>[1] = {}): Promise<string> {
  const r = await exchange(server, opts);
  if (r.status !== 200 || !r.body.refresh_token) throw new Error(`issuance failed: ${r.status} ${r.text}`);
  return r.body.refresh_token;
}

/** Verifies an access token against the server's own JWKS, at the server's (manual) time. */
export async function verifyAccessToken(server: TestServer, token: string, audience: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet(await server.refreshd.keys.jwks());
  const { payload } = await jwtVerify(token, jwks, { issuer: server.issuer, audience, currentDate: new Date(server.clock.now()) });
  return payload;
}

export const INVALID_GRANT = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };

/** The family id (Management API id) inside a refresh token. */
export function familyIdOf(token: string): string {
  return Buffer.from(token.slice('rfd_rt_'.length), 'base64url').subarray(1, 17).toString('base64url');
}
