import { ApiError } from './api-error.js';
import type { Credentials } from './credentials.js';
import { endpoint } from './endpoints.js';

/**
 * The Management API audience, as the Auth0 SDK computes it: https://{issuer host}/api/v2/. The issuer comes from
 * refreshd's discovery document, so the console needs no configuration of its own.
 */
async function managementAudience(): Promise<string> {
  let res: Response;
  try {
    res = await fetch(endpoint('.well-known/openid-configuration'), { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'network', 'refreshd could not be reached. Check your connection and try again.');
  }
  if (!res.ok) throw new ApiError(res.status, 'discovery', `refreshd's discovery document could not be read (HTTP ${res.status}).`);
  const { issuer } = (await res.json()) as { issuer: string };
  return `https://${new URL(issuer).host}/api/v2/`;
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** Client credentials for the Management API. The secret is used for this one request and not kept. */
export async function signIn(clientId: string, clientSecret: string): Promise<Credentials> {
  const audience = await managementAudience();
  let res: Response;
  try {
    res = await fetch(endpoint('oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience }),
    });
  } catch {
    throw new ApiError(0, 'network', 'refreshd could not be reached. Check your connection and try again.');
  }
  let body: TokenAnswer = {};
  try {
    body = (await res.json()) as TokenAnswer;
  } catch {
    // Not JSON: described by the status below.
  }
  if (!res.ok || !body.access_token) {
    const code = body.error ?? `http_${res.status}`;
    if (code === 'invalid_client') throw new ApiError(res.status, code, 'Unknown client ID or wrong secret.');
    throw new ApiError(res.status, code, body.error_description ?? `Sign-in failed (HTTP ${res.status}).`);
  }
  const scopes = (body.scope ?? '').split(' ').filter(Boolean);
  if (scopes.length === 0) {
    throw new ApiError(403, 'no_scopes', 'This client holds no Management API scope. Grant it read:refresh_tokens, read:sessions and read:logs at least.');
  }
  return { accessToken: body.access_token, clientId, scopes, expiresAt: Date.now() + (body.expires_in ?? 0) * 1000 };
}
