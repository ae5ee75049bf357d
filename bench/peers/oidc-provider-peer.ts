import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { CLIENT_ID, CLIENT_SECRET, type SeedResponse } from '../lib/bench-client.js';

/**
 * The peer: panva/oidc-provider 9 with refresh-token rotation on and its default in-memory adapter (no database),
 * access tokens in its default (opaque) format and no id_token (the grant holds offline_access only).
 * Initial refresh tokens are minted through the provider's own models (Grant + RefreshToken), as its
 * authorization-code grant would, and handed to the harness by GET /__seed?n=.
 */
const port = Number(process.env.PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://client.bench.example/cb'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  rotateRefreshToken: true,
  // The same path as refreshd, so the load generator sends identical requests.
  routes: { token: '/oauth/token' },
  findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  // Explicit TTLs (the defaults log "should change" warnings on every use).
  ttl: { AccessToken: 3600, RefreshToken: 14 * 86_400, Grant: 14 * 86_400, Session: 14 * 86_400, Interaction: 3600, IdToken: 3600, AuthorizationCode: 60 },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
});

async function seed(n: number): Promise<string[]> {
  const client = await provider.Client.find(CLIENT_ID);
  if (!client) throw new Error('bench client missing');
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = `auth0|peer-${i}`;
    const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
    grant.addOIDCScope('offline_access');
    const grantId = await grant.save();
    const rt = new provider.RefreshToken({ accountId, client, grantId, scope: 'offline_access', gty: 'authorization_code', expiresWithSession: false });
    tokens.push(await rt.save());
  }
  return tokens;
}

const handler = provider.callback();
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/__seed')) {
    seed(Number(new URL(req.url, issuer).searchParams.get('n') ?? '64')).then(
      (tokens) => {
        const body: SeedResponse = { tokens };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
    return;
  }
  handler(req, res);
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => server.close(() => process.exit(0)));
