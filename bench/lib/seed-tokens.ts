import { audienceFor, CLIENT_ID, CLIENT_SECRET, REQUEST_HEADERS, SCOPE, type BenchAlg, type SeedResponse } from './bench-client.js';

/**
 * Issues `count` refresh tokens from a running refreshd over HTTP (RFC 8693 token exchange, one user each),
 * `concurrency` at a time (a fresh user each, unless `userId` names one). Failing issuance aborts the run: the load needs every one of them.
 */
export async function issueRefreshdTokens(
  baseUrl: string,
  alg: BenchAlg,
  count: number,
  options: { concurrency?: number; userId?: string; /** Issue for the public app, bound to its key (RFC 9449 §5). */ dpop?: { clientId: string; jkt: string } } = {},
): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        subject_token: options.userId ?? `auth0|bench-${alg.toLowerCase()}-${Date.now().toString(36)}-${i}`,
        subject_token_type: 'urn:refreshd:params:oauth:token-type:user-id',
        audience: audienceFor(alg),
        scope: SCOPE,
        ...(options.dpop ? { target_client_id: options.dpop.clientId, dpop_jkt: options.dpop.jkt } : {}),
      });
      const res = await fetch(`${baseUrl}/oauth/token`, { method: 'POST', headers: REQUEST_HEADERS, body });
      const json = (await res.json()) as { refresh_token?: string };
      if (res.status !== 200 || !json.refresh_token) throw new Error(`token exchange failed: ${res.status} ${JSON.stringify(json)}`);
      tokens.push(json.refresh_token);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return tokens;
}

/** Initial tokens from a floor or the peer, which mint them in-process (GET /__seed?n=). */
export async function fetchSeedTokens(baseUrl: string, count: number): Promise<string[]> {
  const res = await fetch(`${baseUrl}/__seed?n=${count}`);
  if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  const { tokens } = (await res.json()) as SeedResponse;
  if (tokens.length !== count) throw new Error(`seeding returned ${tokens.length} tokens, wanted ${count}`);
  return tokens;
}
