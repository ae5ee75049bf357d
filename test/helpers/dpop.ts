import { request } from 'node:http';
import { generateProof, type KeyPair } from 'dpop';
import { secretOf } from './fixtures.js';
import type { HttpResult } from './server.js';
import type { TokenBody } from './tokens.js';

/** The token endpoint URL a DPoP client puts in `htu`: the issuer's, whatever address the server listens on. */
export function tokenEndpointOf(server: { issuer: string }): string {
  return new URL('oauth/token', server.issuer).href;
}

/**
 * POSTs form parameters to /oauth/token with each of `dpop` as its own `DPoP` header line (node:http, so two
 * headers stay two), and parses the answer.
 */
export function postWithProofs(server: { baseUrl: string }, params: Record<string, string>, dpop: readonly string[], path = '/oauth/token'): Promise<HttpResult<TokenBody>> {
  const body = new URLSearchParams(params).toString();
  const url = new URL(path, server.baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) };
    if (dpop.length === 1) headers.dpop = dpop[0]!;
    else if (dpop.length > 1) headers.dpop = [...dpop];
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: h, body: parsed as TokenBody, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * How many `DPoP-Nonce` values an answer has (RFC 9449 §8: exactly one with use_dpop_nonce). Headers joins
 * repeated lines with ", "; a nonce (NQCHAR, base64url here) holds no comma.
 */
export function nonceHeaderCount(r: HttpResult<unknown>): number {
  return (r.headers.get('dpop-nonce') ?? '').split(',').filter((v) => v.trim() !== '').length;
}

export interface DpopRefreshOptions {
  clientId?: string;
  publicClient?: boolean;
  nonce?: string;
  /** The proof's htu (default: the issuer's token endpoint). */
  htu?: string;
  htm?: string;
}

/** A refresh grant carrying a proof made by panva's `dpop` client with `key`. */
export async function dpopRefresh(server: { baseUrl: string; issuer: string }, refreshToken: string, key: KeyPair, opts: DpopRefreshOptions = {}): Promise<HttpResult<TokenBody>> {
  const clientId = opts.clientId ?? 'backend';
  const params: Record<string, string> = { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken };
  if (!opts.publicClient) params.client_secret = secretOf(clientId);
  const proof = await generateProof(key, opts.htu ?? tokenEndpointOf(server), opts.htm ?? 'POST', opts.nonce);
  return postWithProofs(server, params, [proof]);
}

/**
 * What a DPoP client library does: send the request, and on `use_dpop_nonce` retry once with the nonce from the
 * answer's `DPoP-Nonce` header. Returns both answers (the first is the 200 when no challenge came).
 */
export async function dpopRefreshWithNonce(
  server: { baseUrl: string; issuer: string },
  refreshToken: string,
  key: KeyPair,
  opts: DpopRefreshOptions = {},
): Promise<{ first: HttpResult<TokenBody>; final: HttpResult<TokenBody> }> {
  const first = await dpopRefresh(server, refreshToken, key, opts);
  if (first.status !== 400 || first.body?.error !== 'use_dpop_nonce') return { first, final: first };
  const nonce = first.headers.get('dpop-nonce');
  if (!nonce) throw new Error('use_dpop_nonce without a DPoP-Nonce header');
  return { first, final: await dpopRefresh(server, refreshToken, key, { ...opts, nonce }) };
}
