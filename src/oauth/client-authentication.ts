import { isUtf8 } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../core/errors.js';
import { MAX_CLIENT_ID_LENGTH } from '../core/ids.js';
import type { Client } from '../core/types.js';
import { sha256 } from '../tokens/refresh-token.js';
import type { Directory } from './directory.js';

export interface PresentedCredentials {
  clientId: string;
  clientSecret: string | null;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

const ABSENT = Buffer.alloc(32);

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new OAuthError('invalid_client', 'Client authentication failed.', { detail: 'undecodable Basic credentials' });
  }
}

/** Refuses a client id longer than any client can have, before it is looked up. */
export function boundedClientId(clientId: string, name = 'client_id'): string {
  if (clientId.length > MAX_CLIENT_ID_LENGTH) throw new OAuthError('invalid_request', `${name} is too long (at most ${MAX_CLIENT_ID_LENGTH} characters).`);
  return clientId;
}

/** Reads client credentials from an Authorization: Basic header or the body (RFC 6749 §2.3.1), never both. */
export function presentedCredentials(params: Record<string, string>, authorization: string | undefined): PresentedCredentials {
  const credentials = readCredentials(params, authorization);
  boundedClientId(credentials.clientId);
  return credentials;
}

function readCredentials(params: Record<string, string>, authorization: string | undefined): PresentedCredentials {
  const bodyId = params.client_id;
  const bodySecret = params.client_secret;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const raw = Buffer.from(authorization.slice(6).trim(), 'base64');
    // Not UTF-8: refused, not decoded with U+FFFD in place of the bad bytes (two ids would read alike).
    if (!isUtf8(raw)) throw new OAuthError('invalid_client', 'Client authentication failed.', { detail: 'Basic credentials are not UTF-8' });
    const decoded = raw.toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Client authentication failed.', { detail: 'malformed Basic credentials' });
    const clientId = decodePart(decoded.slice(0, colon));
    const clientSecret = decodePart(decoded.slice(colon + 1));
    if (bodySecret !== undefined) {
      throw new OAuthError('invalid_request', 'Only one client authentication method may be used.');
    }
    if (bodyId !== undefined && bodyId !== clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body does not match the Authorization header.');
    }
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (!bodyId) throw new OAuthError('invalid_client', 'Client authentication failed.', { detail: 'no client_id' });
  if (bodySecret !== undefined && bodySecret !== '') return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyId, clientSecret: null, method: 'none' };
}

/**
 * Authenticates a client with the method it is registered for, or HTTP Basic for any confidential client. Secrets are compared as SHA-256 digests in
 * constant time, and an unknown client costs the same comparison, so timing tells nothing.
 */
export async function authenticateClient(presented: PresentedCredentials, directory: Directory): Promise<Client> {
  const client = await directory.client(presented.clientId);
  const presentedHash = presented.clientSecret === null ? ABSENT : sha256(presented.clientSecret);
  const expected = client?.secretHash ?? ABSENT;
  const secretOk = expected.length === presentedHash.length && timingSafeEqual(expected, presentedHash);
  const fail = (detail: string) =>
    new OAuthError('invalid_client', 'Client authentication failed.', {
      detail,
      ...(presented.method === 'client_secret_basic' ? { status: 401 } : {}),
    });
  if (!client) throw fail(`unknown client ${presented.clientId}`);
  if (client.tokenEndpointAuthMethod === 'none') {
    if (presented.method !== 'none') throw fail('a public client presented a secret');
    return client;
  }
  // RFC 6749 §2.3.1: the server MUST accept HTTP Basic from any client issued a password, so a client registered
  // for client_secret_post may use it too (many libraries default to it). The body is accepted only from clients
  // registered for it, since the RFC does not recommend it.
  if (presented.method !== client.tokenEndpointAuthMethod && presented.method !== 'client_secret_basic') {
    throw fail(`client uses ${client.tokenEndpointAuthMethod}, request used ${presented.method}`);
  }
  if (client.secretHash === null || !secretOk) throw fail('wrong client secret');
  return client;
}

export function requireGrant(client: Client, grantType: string): void {
  if (!client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
  }
}

/**
 * Limits that depend on who the client turns out to be; the HTTP layer supplies them (rate limits). A client's own
 * budget is charged only once it has authenticated, so nobody can spend another client's budget with wrong
 * secrets; failures are charged to where they come from instead.
 */
export interface AuthenticationGate {
  /** Before the credentials are checked: throws when this source has failed too often lately. */
  beforeAuthentication(): Promise<void>;
  /** The credentials were refused (invalid_client); may throw a rate-limit error instead. */
  failed(): Promise<void>;
  /** The client authenticated (a public client: was named); throws when the client's limit is reached. */
  authenticated(client: Client): Promise<void>;
}

/** Authenticates the client of a request through the gate, if any (see AuthenticationGate). */
export async function authenticateRequest(
  req: { params: Record<string, string>; authorization?: string | undefined; gate?: AuthenticationGate | undefined },
  directory: Directory,
): Promise<Client> {
  await req.gate?.beforeAuthentication();
  let client: Client;
  try {
    client = await authenticateClient(presentedCredentials(req.params, req.authorization), directory);
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'invalid_client') await req.gate?.failed();
    throw err;
  }
  await req.gate?.authenticated(client);
  return client;
}
