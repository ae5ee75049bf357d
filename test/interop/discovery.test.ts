import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementClient } from 'auth0';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { MGMT_CLIENT, secretOf } from '../helpers/fixtures.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';
import { startInteropServer, type InteropServer } from './harness.js';

/** The fields RFC 8414 §2 and OpenID Connect Discovery §3 require, and what verifiers read. */
const REQUIRED = ['issuer', 'token_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'];

// Discovery itself reads no table, but issuing tokens and the Management API do: both stores.
for (const kind of STORES) {
  for (const path of ['/', '/t1/']) {
    describe(`discovery, issuer path ${path} (${kind})`, () => {
      let rd: InteropServer;
      let metadata: Record<string, unknown>;
      before(async () => {
        rd = await startInteropServer(kind, { path });
        metadata = (await (await rd.fetch(`${rd.issuer}.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      });
      after(() => rd.close());

      const wellKnownUrls = () => {
        const origin = new URL(rd.issuer).origin;
        const suffix = path === '/' ? [''] : [path.slice(0, -1), path];
        return [
          `${rd.issuer}.well-known/openid-configuration`,
          `${rd.issuer}.well-known/oauth-authorization-server`,
          ...suffix.map((s) => `${origin}/.well-known/oauth-authorization-server${s}`),
        ];
      };

      test('every well-known form (OpenID append, RFC 8414 insert) serves the same document, issuer exact', async () => {
        for (const url of wellKnownUrls()) {
          const res = await rd.fetch(url);
          assert.equal(res.status, 200, url);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
          assert.deepEqual(await res.json(), metadata, url);
        }
        assert.equal(metadata.issuer, rd.issuer);
        for (const field of REQUIRED) assert.ok(field in metadata, field);
        assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256', 'ES256', 'EdDSA']);
        for (const field of ['token_endpoint', 'revocation_endpoint', 'jwks_uri']) assert.ok(String(metadata[field]).startsWith(rd.issuer), field);
      });

      test('openid-client and oauth4webapi discover it in both forms, issuer checked', async () => {
        const issuer = new URL(rd.issuer);
        const config = await client.discovery(issuer, 'backend', undefined, client.ClientSecretPost(secretOf('backend')), { [client.customFetch]: rd.fetch });
        assert.equal(config.serverMetadata().issuer, rd.issuer);
        for (const algorithm of ['oidc', 'oauth2'] as const) {
          const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm, [oauth.customFetch]: rd.fetch }));
          assert.equal(as.token_endpoint, metadata.token_endpoint, algorithm);
        }
      });

      test('every advertised endpoint answers, and the JWKS has a key for every advertised algorithm', async () => {
        // An empty POST: the token endpoint misses grant_type; the revocation endpoint authenticates the client
        // before reading anything else (RFC 7009 §2.1), so it answers invalid_client. Neither is a 404.
        const expected = { token_endpoint: [400, 'invalid_request'], revocation_endpoint: [401, 'invalid_client'] } as const;
        for (const [field, [status, error]] of Object.entries(expected)) {
          const res = await rd.fetch(String(metadata[field]), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
          assert.equal(res.status, status, field);
          assert.equal(((await res.json()) as { error: string }).error, error, field);
        }
        const jwks = (await (await rd.fetch(String(metadata.jwks_uri))).json()) as { keys: { alg: string; kid: string; use: string }[] };
        for (const alg of metadata.id_token_signing_alg_values_supported as string[]) {
          assert.ok(jwks.keys.some((k) => k.alg === alg && k.use === 'sig' && k.kid), alg);
        }
      });

      test('the Management API keeps the host-derived audience, and the auth0 SDK (host-only domain) works', async () => {
        // The SDK refuses a domain with a path and derives https://{domain}/api/v2/ from it: that is the audience.
        assert.equal(rd.server.refreshd.managementAudience, `https://${rd.domain}/api/v2/`);
        const user = `auth0|discovery${path.replace(/\//g, '-')}`;
        assert.equal((await exchange(rd.server, { userId: user })).status, 200);
        const sdk = new ManagementClient({ domain: rd.domain, clientId: MGMT_CLIENT, clientSecret: secretOf(MGMT_CLIENT), fetch: rd.fetch, maxRetries: 0 });
        const page = await sdk.users.refreshToken.list(user);
        assert.equal(page.data.length, 1);
        // The same API also answers under the issuer path (the OpenAPI document's server URL).
        const openapi = await rd.fetch(`${rd.issuer}api/v2/openapi.json`);
        assert.equal(openapi.status, 200);
        assert.equal(((await openapi.json()) as { servers: { url: string }[] }).servers[0]?.url, `${rd.issuer}api/v2`);
      });
    });
  }
}
