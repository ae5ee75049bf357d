import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { freePort, runCli, startProcess } from '../helpers/process.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';
import { MANAGEMENT_SCOPES } from '../../src/core/types.js';

async function managementToken(baseUrl: string, clientId: string, clientSecret: string, audience: string) {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience }),
  });
  return { status: res.status, body: (await res.json()) as { access_token: string; scope: string } };
}

const credentials = (stdout: string) => ({
  clientId: /client_id:\s+(\S+)/.exec(stdout)?.[1] ?? '',
  clientSecret: /client_secret:\s+(\S+)/.exec(stdout)?.[1] ?? '',
});

describe('a newcomer\'s first start with nothing configured (embedded SQLite)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'refreshd-e2e-'));
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('creates the database, a signing key and a Management client whose secret is printed once', async () => {
    const port = await freePort();
    const audience = `https://127.0.0.1:${port}/api/v2/`;
    const server = await startProcess(cwd, {}, port);
    const { clientId, clientSecret } = credentials(server.stdout());
    assert.match(clientId, /^[A-Za-z0-9]{32}$/);
    assert.match(clientSecret, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(server.stdout().includes(`--data-urlencode audience=${audience}`), 'prints a copy-paste token command');

    const token = await managementToken(server.baseUrl, clientId, clientSecret, audience);
    assert.equal(token.status, 200);
    assert.equal(token.body.scope, MANAGEMENT_SCOPES.join(' '));
    const discovery = (await (await fetch(`${server.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(discovery.issuer, `http://127.0.0.1:${port}/`);
    assert.equal(discovery.token_endpoint, `http://127.0.0.1:${port}/oauth/token`);
    const jwks = (await (await fetch(discovery.jwks_uri!)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(token.body.access_token, createLocalJWKSet(jwks), { issuer: discovery.issuer, audience });
    assert.equal(payload.sub, `${clientId}@clients`);
    assert.ok(!server.stderr().includes(clientSecret), 'the secret is not in the log stream');
    // The admin console is served, built by the same install, and the banner points at it.
    assert.ok(server.stdout().includes(`sign in to the admin console with them: http://127.0.0.1:${port}/admin/`));
    const page = await fetch(`${server.baseUrl}/admin/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="assets\/app\.js"><\/script>/);
    const bundle = await fetch(`${server.baseUrl}/admin/assets/app.js`);
    assert.deepEqual([bundle.status, bundle.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
    assert.equal(await server.stop(), 0, 'SIGTERM exits cleanly');

    // Second start: no new client, no secret printed; the same credentials still work.
    const again = await startProcess(cwd, {}, port);
    assert.ok(!again.stdout().includes('client_secret'));
    assert.equal((await managementToken(again.baseUrl, clientId, clientSecret, audience)).status, 200);
    await again.stop();

    // Lost secret: rotate it with the CLI.
    const rotated = runCli(cwd, ['clients', 'rotate-secret', clientId]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const fresh = credentials(rotated.stdout).clientSecret;
    assert.notEqual(fresh, clientSecret);
    const list = runCli(cwd, ['clients', 'list']);
    assert.ok(list.stdout.includes(clientId), list.stderr);
    assert.ok(!list.stdout.includes(fresh), 'list never shows secrets');

    // Key rotation without a delay (an emergency): old tokens keep verifying, new ones use the new key at once.
    const rotatedKey = runCli(cwd, ['keys', 'rotate', '--alg', 'RS256', '--activation-delay', '0']);
    assert.equal(rotatedKey.status, 0, rotatedKey.stderr);
    const third = await startProcess(cwd, {}, port);
    assert.equal((await managementToken(third.baseUrl, clientId, clientSecret, audience)).status, 401);
    const newToken = await managementToken(third.baseUrl, clientId, fresh, audience);
    assert.equal(newToken.status, 200);
    const jwks2 = (await (await fetch(`${third.baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    assert.equal(jwks2.keys.filter((k) => k.alg === 'RS256').length, 2);
    assert.notEqual(decodeProtectedHeader(newToken.body.access_token).kid, decodeProtectedHeader(token.body.access_token).kid);
    await jwtVerify(token.body.access_token, createLocalJWKSet(jwks2), { audience });
    await third.stop();
  });

  test('a bad configuration file is one line naming the field, and nothing starts', async () => {
    const file = join(cwd, 'bad.json');
    writeFileSync(file, JSON.stringify({ clients: [{ client_id: 'a', client_secret: 'x'.repeat(40), refresh_token: { leeway: -1 } }] }));
    const r = runCli(cwd, ['serve'], { REFRESHD_CONFIG: file, PORT: String(await freePort()) });
    assert.equal(r.status, 2);
    assert.match(r.stderr.trim(), /^refreshd: .*bad\.json \/clients\/0\/refresh_token\/leeway: Expected integer to be greater or equal to 0$/);
    const env = runCli(cwd, ['serve'], { PORT: 'abc' });
    assert.equal(env.status, 2);
    assert.equal(env.stderr.trim(), 'refreshd: PORT: expected a port number 0-65535, got "abc"');
  });

  test('clients create: a confidential client with its secret shown once; a public one cannot be trusted with IPs', () => {
    const made = runCli(cwd, ['clients', 'create', '--name', 'Backend', '--ip-header-trusted']);
    assert.equal(made.status, 0, made.stderr);
    const { clientId, clientSecret } = credentials(made.stdout);
    assert.match(clientSecret, /^[A-Za-z0-9_-]{43}$/);
    const list = runCli(cwd, ['clients', 'list']);
    assert.ok(list.stdout.includes(clientId) && !list.stdout.includes(clientSecret), list.stderr);
    const revoked = runCli(cwd, ['clients', 'revoke-tokens', clientId]);
    assert.deepEqual([revoked.status, revoked.stdout.trim()], [0, `revoked 0 refresh token(s) of ${clientId}`], revoked.stderr);
    const unknown = runCli(cwd, ['clients', 'revoke-tokens', 'no-such-client']);
    assert.deepEqual([unknown.status, unknown.stderr.trim()], [2, 'refreshd: no client no-such-client']);

    const refused = runCli(cwd, ['clients', 'create', '--name', 'SPA', '--auth-method', 'none', '--ip-header-trusted']);
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr.trim(), 'refreshd: clients create: --ip-header-trusted needs a client that authenticates (not --auth-method none)');
    assert.ok(!runCli(cwd, ['clients', 'list']).stdout.includes('"SPA"'), 'nothing was created');

    const staticSpa = runCli(cwd, ['clients', 'create', '--name', 'Static SPA', '--auth-method', 'none', '--rotation', 'non-rotating']);
    assert.deepEqual(
      [staticSpa.status, staticSpa.stderr.trim()],
      [2, 'refreshd: clients create: --rotation non-rotating is refused: a public client (token_endpoint_auth_method none) gets refresh tokens only if they rotate (RFC 9700 §4.14.2)'],
    );
    assert.ok(!runCli(cwd, ['clients', 'list']).stdout.includes('"Static SPA"'), 'nothing was created');

    const spa = runCli(cwd, ['clients', 'create', '--name', 'Web app', '--auth-method', 'none', '--grant-type', 'refresh_token', '--web-origin', 'https://app.example.com']);
    assert.equal(spa.status, 0, spa.stderr);
    const badOrigin = runCli(cwd, ['clients', 'create', '--name', 'Bad', '--auth-method', 'none', '--web-origin', 'https://app.example.com/login']);
    assert.notEqual(badOrigin.status, 0);
    assert.match(badOrigin.stderr, /must be an origin alone, as browsers send it: "https:\/\/app\.example\.com"/);
  });
});

if (STORES.includes('postgres')) {
  describe('the same start command on PostgreSQL', () => {
    test('REFRESHD_DATABASE_URL=postgres://… migrates a fresh database and serves', async () => {
      const db = await createTestDatabase('postgres');
      const cwd = mkdtempSync(join(tmpdir(), 'refreshd-e2e-pg-'));
      try {
        const port = await freePort();
        const server = await startProcess(cwd, { REFRESHD_DATABASE_URL: db.url }, port);
        const { clientId, clientSecret } = credentials(server.stdout());
        const token = await managementToken(server.baseUrl, clientId, clientSecret, `https://127.0.0.1:${port}/api/v2/`);
        assert.equal(token.status, 200);
        assert.equal((await fetch(`${server.baseUrl}/health/ready`)).status, 200);
        assert.equal(await server.stop(), 0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
        await db.drop();
      }
    });
  });
}
