import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ACCESS_TOKEN_LIFETIME_SECONDS, SCOPE } from '../lib/bench-client.js';

/** A successor token shaped like refreshd's (prefix + 69 bytes base64url), so answers have the same length. */
export function successorToken(): string {
  return 'rfd_rt_' + randomBytes(69).toString('base64url');
}

/** Claims like refreshd's access tokens carry (sub, sid and jti at refreshd's lengths). */
export function accessClaims(issuer: string, audience: string, nowSeconds: number) {
  return {
    iss: issuer,
    sub: 'auth0|bench-user-0000000001',
    aud: audience,
    iat: nowSeconds,
    exp: nowSeconds + ACCESS_TOKEN_LIFETIME_SECONDS,
    scope: SCOPE,
    azp: 'bench-rotating',
    sid: randomBytes(16).toString('base64url'),
    jti: randomBytes(16).toString('base64url'),
  };
}

/** Writes a token response with the headers refreshd sends (no-store, pragma, request id). */
export function sendTokenResponse(res: ServerResponse, accessToken: string, refreshToken: string): void {
  const body = JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, scope: SCOPE, refresh_token: refreshToken });
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-request-id': randomUUID(),
  });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, error: string): void {
  const body = JSON.stringify({ error, error_description: error });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body as a string (bodies here are a few hundred bytes). */
export function readBody(req: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Ends the process on SIGTERM/SIGINT (the harness stops floors that way). */
export function exitOnSignals(close?: () => Promise<void>): void {
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.once(s, () => {
      void (close ? close() : Promise.resolve()).finally(() => process.exit(0));
    });
  }
}
