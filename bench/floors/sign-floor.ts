import { createHash, generateKeyPairSync, sign as signSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { audienceFor, CLIENT_ID, CLIENT_SECRET, type BenchAlg, type SeedResponse } from '../lib/bench-client.js';
import { accessClaims, exitOnSignals, readBody, sendError, sendTokenResponse, successorToken } from './token-response.js';

/**
 * Floor: what a bare node:http server costs for the same exchange without a database: parse the form body, check
 * the client secret and hash the presented token (SHA-256), sign an access token, answer the same bytes.
 *   FLOOR_ALG=ES256|RS256   FLOOR_SIGNER=jose (WebCrypto, as refreshd) | sync (node:crypto on the event loop,
 *   i.e. single-threaded signing: the RS256 reference the worker-pool target is measured against) | none (no
 *   hashing or signing at all: a placeholder of an ES256 token's length; the cost of HTTP alone).
 */
const alg = (process.env.FLOOR_ALG ?? 'ES256') as BenchAlg;
const signer = process.env.FLOOR_SIGNER ?? 'jose';
const port = Number(process.env.PORT ?? 0);
const issuer = `http://127.0.0.1:${port}/`;
const audience = audienceFor(alg);
const kid = 'floor-key-0000000000001';
const secretDigest = createHash('sha256').update(CLIENT_SECRET).digest();

type Sign = (claims: Record<string, unknown>) => Promise<string> | string;

async function joseSigner(): Promise<Sign> {
  const { privateKey } = await generateKeyPair(alg);
  return (claims) => new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey as CryptoKey);
}

function syncSigner(): Sign {
  const key: KeyObject =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url');
  return (claims) => {
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const sig = alg === 'RS256' ? signSync('sha256', Buffer.from(input), key) : signSync('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  };
}

const PLACEHOLDER_JWT = 'x'.repeat(520);
const sign: Sign | null = signer === 'none' ? null : signer === 'sync' ? syncSigner() : await joseSigner();

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/__seed')) {
    const n = Number(new URL(req.url, issuer).searchParams.get('n') ?? '64');
    const body: SeedResponse = { tokens: Array.from({ length: n }, successorToken) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }
  const params = new URLSearchParams(await readBody(req));
  const presented = params.get('refresh_token');
  const secret = params.get('client_secret') ?? '';
  if (params.get('grant_type') !== 'refresh_token' || params.get('client_id') !== CLIENT_ID || !presented) return sendError(res, 400, 'invalid_request');
  if (!sign) return sendTokenResponse(res, PLACEHOLDER_JWT, successorToken());
  if (!createHash('sha256').update(secret).digest().equals(secretDigest)) return sendError(res, 401, 'invalid_client');
  createHash('sha256').update(presented).digest();
  const accessToken = await sign(accessClaims(issuer, audience, Math.floor(Date.now() / 1000)));
  sendTokenResponse(res, accessToken, successorToken());
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
exitOnSignals(() => new Promise((r) => server.close(() => r())));
