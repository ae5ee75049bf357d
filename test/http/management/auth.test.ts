import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { MANAGEMENT_SCOPES } from '../../../src/core/types.js';
import { API, secretOf } from '../../helpers/fixtures.js';
import { api, envelopeOf, issueToken, managementToken } from '../../helpers/management.js';
import { post, startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';

type Wire = Record<string, unknown>;
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Every route of the issue's table with the scope(s) it needs and a request that is otherwise valid. */
const ROUTES: { method: string; path: string; body?: unknown; scopes: string[]; mode?: 'all' }[] = [
  { method: 'GET', path: `/refresh-tokens/${ID}`, scopes: ['read:refresh_tokens'] },
  { method: 'PATCH', path: `/refresh-tokens/${ID}`, body: { refresh_token_metadata: {} }, scopes: ['update:refresh_tokens'] },
  { method: 'DELETE', path: `/refresh-tokens/${ID}`, scopes: ['delete:refresh_tokens'] },
  { method: 'GET', path: '/refresh-tokens?user_id=auth0%7Cscopes', scopes: ['read:refresh_tokens'] },
  { method: 'POST', path: '/refresh-tokens/revoke', body: { user_id: 'auth0|scopes' }, scopes: ['delete:refresh_tokens'] },
  { method: 'GET', path: '/users/auth0%7Cscopes/refresh-tokens', scopes: ['read:refresh_tokens'] },
  { method: 'DELETE', path: '/users/auth0%7Cscopes/refresh-tokens', scopes: ['delete:refresh_tokens'] },
  { method: 'GET', path: `/sessions/${ID}`, scopes: ['read:sessions'] },
  { method: 'PATCH', path: `/sessions/${ID}`, body: { session_metadata: {} }, scopes: ['update:sessions'] },
  { method: 'DELETE', path: `/sessions/${ID}`, scopes: ['delete:sessions'] },
  { method: 'POST', path: `/sessions/${ID}/revoke`, scopes: ['delete:sessions', 'delete:refresh_tokens'], mode: 'all' },
  { method: 'GET', path: '/users/auth0%7Cscopes/sessions', scopes: ['read:sessions'] },
  { method: 'DELETE', path: '/users/auth0%7Cscopes/sessions', scopes: ['delete:sessions'] },
  { method: 'POST', path: '/users/auth0%7Cscopes/revoke-access', body: {}, scopes: ['delete:sessions', 'delete:refresh_tokens'], mode: 'all' },
  { method: 'GET', path: '/clients', scopes: ['read:clients', 'read:client_keys'] },
  { method: 'GET', path: '/clients/no-such-client', scopes: ['read:clients', 'read:client_keys'] },
  { method: 'POST', path: '/clients', body: { name: 'scopes' }, scopes: ['create:clients'] },
  { method: 'PATCH', path: '/clients/no-such-client', body: { name: 'x' }, scopes: ['update:clients', 'update:client_keys'] },
  { method: 'DELETE', path: '/clients/no-such-client', scopes: ['delete:clients'] },
  { method: 'POST', path: '/clients/no-such-client/rotate-secret', scopes: ['update:client_keys'] },
  { method: 'GET', path: '/resource-servers', scopes: ['read:resource_servers'] },
  { method: 'GET', path: '/resource-servers/nowhere', scopes: ['read:resource_servers'] },
  { method: 'POST', path: '/resource-servers', body: { identifier: 'https://scopes.example.com' }, scopes: ['create:resource_servers'] },
  { method: 'PATCH', path: '/resource-servers/nowhere', body: { name: 'x' }, scopes: ['update:resource_servers'] },
  { method: 'DELETE', path: '/resource-servers/nowhere', scopes: ['delete:resource_servers'] },
  { method: 'GET', path: '/client-grants', scopes: ['read:client_grants'] },
  { method: 'GET', path: '/client-grants/nowhere', scopes: ['read:client_grants'] },
  { method: 'POST', path: '/client-grants', body: { client_id: 'nobody', audience: API, scope: [] }, scopes: ['create:client_grants'] },
  { method: 'PATCH', path: '/client-grants/nowhere', body: { scope: [] }, scopes: ['update:client_grants'] },
  { method: 'DELETE', path: '/client-grants/nowhere', scopes: ['delete:client_grants'] },
];

const INVALID_TOKEN = envelopeOf(401, 'invalid_token', 'Invalid token.');

for (const kind of STORES) {
  describe(`Management API authentication and scopes (${kind})`, () => {
    let server: TestServer;
    let fullToken: string;
    before(async () => {
      server = await startServer(kind);
      fullToken = await managementToken(server);
    });
    after(() => server.close());

    /** A JWT signed with the server's own management signing key; claims default to a valid token's. */
    async function signed(claims: Record<string, unknown> = {}, options: { omit?: string[] } = {}): Promise<string> {
      const { kid, key } = await server.refreshd.keys.signingKey('RS256');
      const now = Math.floor(server.clock.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: server.issuer,
        aud: server.refreshd.managementAudience,
        sub: 'mgmt@clients',
        azp: 'mgmt',
        scope: MANAGEMENT_SCOPES.join(' '),
        iat: now,
        exp: now + 600,
        ...claims,
      };
      for (const k of options.omit ?? []) delete payload[k];
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
    }

    const getWith = (authorization: string | undefined) =>
      api<Wire>(server, 'GET', `/refresh-tokens/${ID}`, { token: null, headers: authorization === undefined ? {} : { authorization } });

    test('every route refuses a request without a token: 401 in the envelope, with a Bearer challenge', async () => {
      for (const route of ROUTES) {
        const r = await api<Wire>(server, route.method, route.path, { token: null, ...(route.body !== undefined ? { body: route.body } : {}) });
        assert.equal(r.status, 401, `${route.method} ${route.path}`);
        assert.deepEqual(r.body, envelopeOf(401, 'invalid_token', 'Missing authentication'));
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="refreshd"');
      }
    });

    test('every route requires its own scope: 403 insufficient_scope with Auth0’s message, and works with only that scope', async () => {
      for (const route of ROUTES) {
        const label = `${route.method} ${route.path}`;
        const others = MANAGEMENT_SCOPES.filter((s) => !route.scopes.includes(s));
        const without = await managementToken(server, others.join(' '));
        const denied = await api<Wire>(server, route.method, route.path, { token: without, ...(route.body !== undefined ? { body: route.body } : {}) });
        assert.equal(denied.status, 403, label);
        assert.deepEqual(
          denied.body,
          envelopeOf(403, 'insufficient_scope', `Insufficient scope, expected ${route.mode ?? 'any'} of: ${route.scopes.join(',')}`),
          label,
        );
        assert.match(denied.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);

        const only = await managementToken(server, route.scopes.join(' '));
        const allowed = await api<Wire>(server, route.method, route.path, { token: only, ...(route.body !== undefined ? { body: route.body } : {}) });
        assert.ok([200, 201, 202, 404].includes(allowed.status), `${label} → ${allowed.status} ${allowed.text}`);
      }
    });

    test('revoke-access and session revoke need both delete scopes (Auth0\'s OpenAPI): either one alone is 403', async () => {
      for (const scope of ['delete:sessions', 'delete:refresh_tokens']) {
        const t = await managementToken(server, scope);
        for (const [path, body] of [['/users/auth0%7Cx/revoke-access', {}], [`/sessions/${ID}/revoke`, undefined]] as const) {
          const r = await api<Wire>(server, 'POST', path, { token: t, ...(body !== undefined ? { body } : {}) });
          assert.deepEqual(r.body, envelopeOf(403, 'insufficient_scope', 'Insufficient scope, expected all of: delete:sessions,delete:refresh_tokens'), `${path} with ${scope}`);
        }
      }
    });

    test('a hand-signed token with valid claims is accepted (so the refusals below are about the claim varied)', async () => {
      const r = await getWith(`Bearer ${await signed()}`);
      assert.equal(r.status, 404);
      assert.equal(r.body.errorCode, 'inexistent_refresh_token');
    });

    test('malformed Authorization headers are 401', async () => {
      for (const h of ['Bearer', 'Bearer ', 'Bearer not-a-jwt', 'Bearer a.b.c', 'Basic bWdtdDpzZWNyZXQ=', `Token ${fullToken}`, `Bearer ${fullToken} extra`, `Bearer ${fullToken}.x`]) {
        const r = await getWith(h);
        assert.equal(r.status, 401, JSON.stringify(h.slice(0, 30)));
        assert.equal(r.body.errorCode, 'invalid_token');
        assert.equal(r.body.error, 'Unauthorized');
        assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      }
      // The scheme is case-insensitive (RFC 6750).
      assert.equal((await getWith(`bearer ${fullToken}`)).status, 404);
    });

    test('an expired token is 401', async () => {
      const now = Math.floor(server.clock.now() / 1000);
      const r = await getWith(`Bearer ${await signed({ iat: now - 7200, exp: now - 60 })}`);
      assert.deepEqual([r.status, r.body], [401, envelopeOf(401, 'invalid_token', 'Expired token received for JSON Web Token validation')]);
    });

    test('a token not yet valid (nbf in the future) is 401', async () => {
      const now = Math.floor(server.clock.now() / 1000);
      const r = await getWith(`Bearer ${await signed({ nbf: now + 300 })}`);
      assert.deepEqual([r.status, r.body], [401, INVALID_TOKEN]);
    });

    test('a token without exp is 401', async () => {
      const r = await getWith(`Bearer ${await signed({}, { omit: ['exp'] })}`);
      assert.deepEqual([r.status, r.body], [401, INVALID_TOKEN]);
    });

    test('a token signed by another key under our kid is 401 (invalid signature)', async () => {
      const { kid } = await server.refreshd.keys.signingKey('RS256');
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(server.clock.now() / 1000);
      const forged = await new SignJWT({ scope: MANAGEMENT_SCOPES.join(' ') })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(server.issuer)
        .setAudience(server.refreshd.managementAudience)
        .setSubject('mgmt@clients')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      const r = await getWith(`Bearer ${forged}`);
      assert.deepEqual([r.status, r.body], [401, envelopeOf(401, 'invalid_token', 'Invalid signature received for JSON Web Token validation')]);
      // A key id nobody knows is refused the same way, without a 500.
      const unknownKid = await new SignJWT({ scope: 'read:refresh_tokens' }).setProtectedHeader({ alg: 'RS256', kid: 'nope' }).setExpirationTime(now + 60).sign(privateKey);
      assert.equal((await getWith(`Bearer ${unknownKid}`)).status, 401);
    });

    test('alg none and HS256 (with the public key as secret) are 401', async () => {
      const now = Math.floor(server.clock.now() / 1000);
      const claims = { scope: MANAGEMENT_SCOPES.join(' '), sub: 'mgmt@clients' };
      const none = new UnsecuredJWT(claims).setIssuer(server.issuer).setAudience(server.refreshd.managementAudience).setIssuedAt(now).setExpirationTime(now + 600).encode();
      assert.deepEqual((await getWith(`Bearer ${none}`)).body, INVALID_TOKEN);
      const { kid } = await server.refreshd.keys.signingKey('RS256');
      const jwks = await server.refreshd.keys.jwks();
      const hs = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid })
        .setIssuer(server.issuer)
        .setAudience(server.refreshd.managementAudience)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
      assert.deepEqual((await getWith(`Bearer ${hs}`)).body, INVALID_TOKEN);
    });

    test('a wrong issuer or a wrong audience is 401, including real tokens refreshd issued for other APIs', async () => {
      assert.deepEqual((await getWith(`Bearer ${await signed({ iss: 'http://evil.test/' })}`)).body, INVALID_TOKEN);
      assert.deepEqual((await getWith(`Bearer ${await signed({ aud: API })}`)).body, INVALID_TOKEN);
      const m2m = await post<{ access_token: string }>(server, '/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'm2m',
        client_secret: secretOf('m2m'),
        audience: API,
      });
      assert.equal(m2m.status, 200);
      assert.deepEqual((await getWith(`Bearer ${m2m.body.access_token}`)).body, INVALID_TOKEN);
      const user = await issueToken(server);
      assert.deepEqual((await getWith(`Bearer ${user.accessToken}`)).body, INVALID_TOKEN);
    });

    test('refusals do not leak the token or key material', async () => {
      const r = await getWith(`Bearer ${await signed({ iss: 'http://evil.test/' })}`);
      assert.doesNotMatch(r.text, /evil|eyJ|kid|mgmt@clients/);
    });

    // Last: moves the clock past every token's lifetime.
    test('a token that worked (and is cached) is refused once it expires', async () => {
      const t = await managementToken(server);
      assert.equal((await getWith(`Bearer ${t}`)).status, 404);
      server.clock.advanceSeconds(86_400);
      const r = await getWith(`Bearer ${t}`);
      assert.deepEqual([r.status, r.body], [401, envelopeOf(401, 'invalid_token', 'Expired token received for JSON Web Token validation')]);
    });
  });
}
