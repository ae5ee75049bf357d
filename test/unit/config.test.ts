import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadEnv, managementAudienceFor } from '../../src/config/env.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const MGMT = 'https://127.0.0.1:3000/api/v2/';
const secret = 's'.repeat(40);

describe('configuration file', () => {
  test('a client gets the values Auth0 fills in', () => {
    const c = normalizeConfig({ clients: [{ client_id: 'app', client_secret: secret }] }, MGMT).clients[0]!;
    assert.equal(c.name, 'app');
    assert.equal(c.tokenEndpointAuthMethod, 'client_secret_post');
    assert.deepEqual(c.grantTypes, ['authorization_code', 'implicit', 'refresh_token', 'client_credentials']);
    assert.equal(c.isTokenEndpointIpHeaderTrusted, false);
    assert.deepEqual(c.refreshToken, {
      rotationType: 'non-rotating',
      expirationType: 'non-expiring',
      leewaySeconds: 0,
      tokenLifetimeSeconds: 2592000,
      infiniteTokenLifetime: true,
      idleTokenLifetimeSeconds: 1296000,
      infiniteIdleTokenLifetime: true,
      policies: null,
    });
  });

  test('an expiring client defaults to finite lifetimes, as Auth0 returns them', () => {
    const c = normalizeConfig({ clients: [{ client_id: 'app', client_secret: secret, refresh_token: { expiration_type: 'expiring' } }] }, MGMT).clients[0]!;
    assert.equal(c.refreshToken.infiniteTokenLifetime, false);
    assert.equal(c.refreshToken.infiniteIdleTokenLifetime, false);
  });

  test('a resource server gets Auth0 defaults', () => {
    const rs = normalizeConfig({ resource_servers: [{ identifier: 'https://api' }] }, MGMT).resourceServers[0]!;
    assert.deepEqual(rs, { identifier: 'https://api', name: 'https://api', scopes: [], allowOfflineAccess: false, tokenLifetimeSeconds: 86400, signingAlg: 'RS256', isSystem: false, proofOfPossession: null });
  });

  test('proof of possession: Auth0\'s client and API fields, refreshd\'s nonce setting, and mtls refused', () => {
    const file = {
      clients: [{ client_id: 'app', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: { rotation_type: 'rotating' }, require_proof_of_possession: true, require_dpop_nonce: false }],
      resource_servers: [{ identifier: 'https://api', proof_of_possession: { mechanism: 'dpop', required: true } }],
    };
    const config = normalizeConfig(file, MGMT);
    assert.deepEqual([config.clients[0]!.requireProofOfPossession, config.clients[0]!.requireDpopNonce], [true, false]);
    assert.deepEqual(config.resourceServers[0]!.proofOfPossession, { mechanism: 'dpop', required: true, requiredFor: 'all_clients' });
    const plain = normalizeConfig({ clients: [{ client_id: 'b', client_secret: secret }] }, MGMT).clients[0]!;
    assert.deepEqual([plain.requireProofOfPossession, plain.requireDpopNonce], [false, null]);
    assert.throws(
      () => normalizeConfig({ resource_servers: [{ identifier: 'https://api', proof_of_possession: { mechanism: 'mtls', required: true } }] }, MGMT),
      /proof_of_possession/,
    );
  });

  test('a public client may be non-rotating when it never gets refresh tokens (no refresh_token grant)', () => {
    const c = normalizeConfig({ clients: [{ client_id: 'p', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] }] }, MGMT).clients[0]!;
    assert.equal(c.refreshToken.rotationType, 'non-rotating');
  });

  test('a client may hold a client grant and a user grant for the same API; an explicit empty target list is a choice', () => {
    const c = normalizeConfig(
      {
        resource_servers: [{ identifier: 'https://api', scopes: [{ value: 'read' }] }],
        clients: [
          { client_id: 'be', client_secret: secret, grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'client_credentials'], token_exchange_target_clients: [] },
          { client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: { rotation_type: 'rotating' } },
        ],
        client_grants: [
          { client_id: 'be', audience: 'https://api', scope: ['read'] },
          { client_id: 'be', audience: 'https://api', scope: ['read'], subject_type: 'user' },
        ],
      },
      MGMT,
    );
    assert.deepEqual(c.clientGrants.map((g) => g.subjectType), ['client', 'user']);
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown top-level field', { client: [] }, /^cfg \/client: /],
    ['a wrong type deep inside', { clients: [{ client_id: 'a', client_secret: secret, refresh_token: { leeway: 'ten' } }] }, /^cfg \/clients\/0\/refresh_token\/leeway: Expected integer/],
    ['an unknown grant type', { clients: [{ client_id: 'a', client_secret: secret, grant_types: ['refresh-token'] }] }, /^cfg \/clients\/0\/grant_types\/0: /],
    ['a short secret', { clients: [{ client_id: 'a', client_secret: 'short' }] }, /^cfg \/clients\/0\/client_secret: /],
    ['a confidential client without secret', { clients: [{ client_id: 'a' }] }, /^cfg \/clients\/0\/client_secret: required when token_endpoint_auth_method is client_secret_post$/],
    ['a public client with a secret', { clients: [{ client_id: 'a', token_endpoint_auth_method: 'none', client_secret: secret }] }, /^cfg \/clients\/0\/client_secret: a public client/],
    ['a public client trusted to set the end user\'s IP', { clients: [{ client_id: 'a', token_endpoint_auth_method: 'none', is_token_endpoint_ip_header_trusted: true }] }, /^cfg \/clients\/0\/is_token_endpoint_ip_header_trusted: a public client/],
    [
      'a public client with non-rotating refresh tokens',
      { clients: [{ client_id: 'a', token_endpoint_auth_method: 'none', refresh_token: { rotation_type: 'non-rotating' } }] },
      /^cfg \/clients\/0\/refresh_token\/rotation_type: a public client \(token_endpoint_auth_method none\) gets refresh tokens only if they rotate \(RFC 9700 §4\.14\.2\): set "rotation_type": "rotating"/,
    ],
    [
      'a public client left at Auth0\'s non-rotating default',
      { clients: [{ client_id: 'a', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'] }] },
      /^cfg \/clients\/0\/refresh_token: a public client .*; the default is non-rotating: add "refresh_token": \{ "rotation_type": "rotating" \}/,
    ],
    [
      'a token-exchange client without a user grant (a file from before exchange was scoped)',
      { clients: [{ client_id: 'be', client_secret: secret, grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'] }] },
      /^cfg \/clients\/0\/grant_types: token exchange is limited to the APIs and scopes of the client's user grants, and be has none: add to client_grants \{ "client_id": "be", "audience": "<API>", "scope": \[<scopes>\], "subject_type": "user" \}/,
    ],
    [
      'a token-exchange client that lists no targets while a public client depends on it',
      {
        resource_servers: [{ identifier: 'https://api' }],
        clients: [
          { client_id: 'be', client_secret: secret, grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'] },
          { client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: { rotation_type: 'rotating' } },
        ],
        client_grants: [{ client_id: 'be', audience: 'https://api', subject_type: 'user' }],
      },
      /^cfg \/clients\/0\/token_exchange_target_clients: token exchange names as target_client_id only the public clients listed here; add "token_exchange_target_clients": \["spa"\]/,
    ],
    [
      'a confidential client as a token-exchange target',
      { clients: [{ client_id: 'a', client_secret: secret, token_exchange_target_clients: ['b'] }, { client_id: 'b', client_secret: secret }] },
      /^cfg \/clients\/0\/token_exchange_target_clients\/0: "b" is a confidential client/,
    ],
    ['a user grant for the Management API', { client_grants: [{ client_id: 'a', audience: MGMT, subject_type: 'user' }] }, /^cfg \/client_grants\/0\/subject_type: the Management API issues no user tokens/],
    [
      'two user grants for one client and API',
      { resource_servers: [{ identifier: 'https://api' }], client_grants: [{ client_id: 'a', audience: 'https://api', subject_type: 'user' }, { client_id: 'a', audience: 'https://api', subject_type: 'user' }] },
      /^cfg \/client_grants\/1: duplicate user grant/,
    ],
    ['a web origin with a path', { clients: [{ client_id: 'a', client_secret: secret, web_origins: ['https://app.example.com/'] }] }, /^cfg \/clients\/0\/web_origins\/0: must be an origin alone, as browsers send it: "https:\/\/app\.example\.com"$/],
    ['a web origin that is not a URL', { clients: [{ client_id: 'a', client_secret: secret, web_origins: ['https://ok.example', 'app.example.com'] }] }, /^cfg \/clients\/0\/web_origins\/1: not an absolute URL$/],
    ['duplicate clients', { clients: [{ client_id: 'a', client_secret: secret }, { client_id: 'a', client_secret: secret }] }, /^cfg \/clients\/1\/client_id: duplicate/],
    ['idle longer than absolute', { clients: [{ client_id: 'a', client_secret: secret, refresh_token: { expiration_type: 'expiring', token_lifetime: 10, idle_token_lifetime: 20 } }] }, /idle_token_lifetime: must not exceed token_lifetime/],
    ['a grant for an unknown API', { client_grants: [{ client_id: 'a', audience: 'https://nope' }] }, /^cfg \/client_grants\/0\/audience: unknown API/],
    ['a grant for a mistyped Management API', { client_grants: [{ client_id: 'a', audience: 'https://localhost/api/v2/' }] }, /the Management API here is "https:\/\/127\.0\.0\.1:3000\/api\/v2\/"/],
    ['a grant with an undefined scope', { resource_servers: [{ identifier: 'https://api', scopes: [{ value: 'read' }] }], client_grants: [{ client_id: 'a', audience: 'https://api', scope: ['write'] }] }, /^cfg \/client_grants\/0\/scope: not defined/],
    ['redefining the Management API', { resource_servers: [{ identifier: MGMT }] }, /cannot be redefined/],
    ['the Management API in an MRRT policy', { clients: [{ client_id: 'a', client_secret: secret, refresh_token: { policies: [{ audience: MGMT, scope: [] }] } }] }, /cannot be in a refresh-token policy/],
  ];
  for (const [name, raw, message] of bad) {
    test(`${name} is one line naming the field`, () => {
      assert.throws(
        () => normalizeConfig(raw, MGMT, 'cfg'),
        (err: unknown) => err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }
});

describe('environment', () => {
  test('defaults: port 3000 on 127.0.0.1, SQLite under ./data, issuer from host and port', () => {
    const env = loadEnv({});
    assert.equal(env.port, 3000);
    assert.equal(env.host, '127.0.0.1');
    assert.equal(env.databaseUrl, 'sqlite:./data/refreshd.db');
    assert.equal(env.issuer, 'http://127.0.0.1:3000/');
    assert.equal(managementAudienceFor(env.issuer), 'https://127.0.0.1:3000/api/v2/');
  });

  test('REFRESHD_MANAGEMENT_TOKEN_LIFETIME: 86400 by default, 60 to 86400 otherwise', () => {
    assert.equal(loadEnv({}).managementTokenLifetimeSeconds, 86_400);
    assert.equal(loadEnv({ REFRESHD_MANAGEMENT_TOKEN_LIFETIME: '600' }).managementTokenLifetimeSeconds, 600);
    for (const bad of ['59', '86401', '10m', '-1']) {
      assert.throws(() => loadEnv({ REFRESHD_MANAGEMENT_TOKEN_LIFETIME: bad }), (err: unknown) => err instanceof ConfigError && /REFRESHD_MANAGEMENT_TOKEN_LIFETIME/.test(err.message));
    }
  });

  test('REFRESHD_SIGNING_WORKERS: the machine default when unset, 0 to 16 otherwise', () => {
    assert.equal(loadEnv({}).signingWorkers, null);
    assert.equal(loadEnv({ REFRESHD_SIGNING_WORKERS: '0' }).signingWorkers, 0);
    assert.equal(loadEnv({ REFRESHD_SIGNING_WORKERS: '2' }).signingWorkers, 2);
    for (const bad of ['-1', '17', 'two', '1.5']) {
      assert.throws(() => loadEnv({ REFRESHD_SIGNING_WORKERS: bad }), (err: unknown) => err instanceof ConfigError && /REFRESHD_SIGNING_WORKERS/.test(err.message));
    }
  });

  test('REFRESHD_TRUST_PROXY: off by default, every hop, or the proxies\' addresses and named ranges', () => {
    assert.equal(loadEnv({}).trustProxy, false);
    assert.equal(loadEnv({ REFRESHD_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadEnv({ REFRESHD_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.deepEqual(loadEnv({ REFRESHD_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,fd00::/8, uniquelocal' }).trustProxy, ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', 'uniquelocal']);
  });

  test('the Management audience uses the issuer host exactly as the Auth0 SDK does', () => {
    assert.equal(managementAudienceFor('https://auth.example.com/'), 'https://auth.example.com/api/v2/');
    assert.equal(managementAudienceFor('http://localhost:8080/'), 'https://localhost:8080/api/v2/');
  });

  test('an issuer with a path keeps it, with the trailing slash iss and discovery use', () => {
    assert.equal(loadEnv({ REFRESHD_ISSUER: 'https://auth.example.com/t1' }).issuer, 'https://auth.example.com/t1/');
    assert.equal(loadEnv({ REFRESHD_ISSUER: 'https://auth.example.com/t1/' }).issuer, 'https://auth.example.com/t1/');
    assert.equal(managementAudienceFor('https://auth.example.com/t1/'), 'https://auth.example.com/api/v2/');
  });

  for (const [vars, message] of [
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ REFRESHD_ISSUER: 'not a url' }, /^REFRESHD_ISSUER: /],
    [{ REFRESHD_ISSUER: 'ftp://x/' }, /^REFRESHD_ISSUER: /],
    [{ REFRESHD_ISSUER: 'https://auth.example.com/?tenant=1' }, /^REFRESHD_ISSUER: must not have a query/],
    [{ REFRESHD_ISSUER: 'https://auth.example.com/oauth/' }, /^REFRESHD_ISSUER: the path may not start with \/oauth\//],
    [{ REFRESHD_ISSUER: 'https://auth.example.com/api/t1' }, /^REFRESHD_ISSUER: the path may not start with \/api\//],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ REFRESHD_TRUST_PROXY: '1' }, /^REFRESHD_TRUST_PROXY: .*got "1"$/],
    [{ REFRESHD_TRUST_PROXY: '10.0.0.0/8, 10.0.0.300' }, /^REFRESHD_TRUST_PROXY: .*got "10.0.0.300"$/],
    [{ REFRESHD_TRUST_PROXY: '10.0.0.0/33' }, /^REFRESHD_TRUST_PROXY: /],
    [{ REFRESHD_TRUST_PROXY: 'yes' }, /^REFRESHD_TRUST_PROXY: /],
  ] as const) {
    test(`${JSON.stringify(vars)} is refused naming the variable`, () => {
      assert.throws(() => loadEnv(vars), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }
});
