import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resourceServerId } from '../../src/admin/resource-servers.js';
import { applyConfigAsServerDoes } from '../helpers/cli-database.js';
import { runCli } from '../helpers/process.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const ISSUER = 'https://auth.example.com/';
const MANAGEMENT_AUDIENCE = 'https://auth.example.com/api/v2/';
const FILE_API = 'https://file.example.com';
const API = 'https://api.example.com';

const field = (stdout: string, name: string) => new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(stdout)?.[1] ?? '';

/** A one-line refusal: exit 2, `refreshd: …` on stderr, nothing on stdout. */
function refused(r: { status: number | null; stdout: string; stderr: string }, message: RegExp, what: string) {
  assert.equal(r.status, 2, `${what}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(r.stderr.trim(), message, what);
  assert.equal(r.stdout, '', what);
}

// `refreshd apis` and `refreshd grants` (issue 14, CLI parity): thin layers over src/admin, the functions behind
// /api/v2/resource-servers and /api/v2/client-grants, with the configuration file's entries left to the file.
for (const kind of STORES) {
  describe(`refreshd apis and grants (${kind})`, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'refreshd-cli-apis-'));
    const configPath = join(cwd, 'refreshd.json');
    let db: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      db = await createTestDatabase(kind);
      env = { REFRESHD_DATABASE_URL: db.url, REFRESHD_CONFIG: configPath, REFRESHD_ISSUER: ISSUER };
      await applyConfigAsServerDoes(db, configPath, ISSUER, {
        resource_servers: [{ identifier: FILE_API, scopes: [{ value: 'read:file' }], allow_offline_access: true }],
        clients: [{ client_id: 'from-file', client_secret: 'a-secret-of-the-configuration-file-0123456789', grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'] }],
        client_grants: [{ client_id: 'from-file', audience: FILE_API, scope: ['read:file'], subject_type: 'user' }],
      });
    });
    after(async () => {
      await db.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    async function sapi(description: string) {
      const store = db.open();
      try {
        return (await store.listEvents({ limit: 100, type: 'sapi' })).filter((e) => e.description === description);
      } finally {
        await store.close();
      }
    }

    test('apis create, list and delete: stored as the API stores them, a sapi event each, its grants gone with it', async () => {
      const created = runCli(cwd, ['apis', 'create', '--identifier', API, '--name', 'Example API', '--scopes', 'read:data,write:data', '--allow-offline-access', '--token-lifetime', '3600', '--signing-alg', 'ES256'], env);
      assert.equal(created.status, 0, created.stderr);
      assert.equal(field(created.stdout, 'id'), resourceServerId(API));
      assert.equal(field(created.stdout, 'identifier'), API);

      const store = db.open();
      try {
        assert.deepEqual(await store.findResourceServer(API), {
          identifier: API,
          name: 'Example API',
          scopes: ['read:data', 'write:data'],
          allowOfflineAccess: true,
          tokenLifetimeSeconds: 3600,
          signingAlg: 'ES256',
          isSystem: false,
          proofOfPossession: null,
        });
      } finally {
        await store.close();
      }
      const list = runCli(cwd, ['apis', 'list'], env);
      assert.equal(list.status, 0, list.stderr);
      assert.ok(list.stdout.split('\n').includes(`${API}  ${resourceServerId(API)}  ES256  3600s  offline_access  read:data,write:data  "Example API"`), list.stdout);
      assert.ok(list.stdout.includes(`${FILE_API}  `), 'the file\'s API is listed too');
      assert.match(list.stdout, new RegExp(`^${MANAGEMENT_AUDIENCE}  .*\\[system\\]$`, 'm'));
      const [createEvent] = (await sapi('Create a resource server')).filter((e) => e.details?.identifier === API);
      assert.equal(createEvent?.details?.via, 'cli');

      // A grant on it goes with it, as DELETE /api/v2/resource-servers/{id} does.
      const grant = runCli(cwd, ['grants', 'create', '--client-id', 'from-file', '--audience', API, '--scope', 'read:data'], env);
      assert.equal(grant.status, 0, grant.stderr);
      const deleted = runCli(cwd, ['apis', 'delete', resourceServerId(API)], env);
      assert.deepEqual([deleted.status, deleted.stdout.trim()], [0, `deleted ${API} and its client grants`], deleted.stderr);
      const after = db.open();
      try {
        assert.equal(await after.findResourceServer(API), null);
        assert.equal(await after.findClientGrantById(field(grant.stdout, 'id')), null);
      } finally {
        await after.close();
      }
      assert.equal((await sapi('Delete a resource server')).filter((e) => e.details?.identifier === API && e.details?.via === 'cli').length, 1);
      refused(runCli(cwd, ['apis', 'delete', API], env), /^refreshd: The resource server does not exist\.$/, 'deleted twice');
    });

    test('grants create, list and delete: a user grant lets a backend exchange tokens; a sapi event each', async () => {
      const api = 'https://grants.example.com';
      assert.equal(runCli(cwd, ['apis', 'create', '--identifier', api, '--scopes', 'read:data', '--allow-offline-access'], env).status, 0);
      const client = runCli(cwd, ['clients', 'create', '--name', 'backend'], env);
      assert.equal(client.status, 0, client.stderr);
      const clientId = field(client.stdout, 'client_id');

      const created = runCli(cwd, ['grants', 'create', '--client-id', clientId, '--audience', api, '--scope', 'read:data', '--subject-type', 'user'], env);
      assert.equal(created.status, 0, created.stderr);
      const id = field(created.stdout, 'id');
      const store = db.open();
      try {
        assert.deepEqual(await store.findClientGrant(clientId, api, 'user'), { id, clientId, audience: api, scope: ['read:data'], subjectType: 'user' });
      } finally {
        await store.close();
      }
      const list = runCli(cwd, ['grants', 'list', '--client-id', clientId], env);
      assert.deepEqual([list.status, list.stdout], [0, `${id}  ${clientId}  ${api}  user  read:data\n`], list.stderr);
      assert.equal(runCli(cwd, ['grants', 'list', '--client-id', clientId, '--subject-type', 'client'], env).stdout, '');
      assert.ok(runCli(cwd, ['grants', 'list', '--audience', FILE_API], env).stdout.includes(`  from-file  ${FILE_API}  user  read:file`));
      const event = (await sapi('Create a client grant')).find((e) => e.details?.id === id);
      assert.deepEqual([event?.details?.client_id, event?.details?.subject_type, event?.details?.via], [clientId, 'user', 'cli']);

      refused(
        runCli(cwd, ['grants', 'create', '--client-id', clientId, '--audience', api, '--scope', 'read:data', '--subject-type', 'user'], env),
        /^refreshd: A client grant for client \S+ and audience \S+ \(subject_type user\) already exists\.$/,
        'a second user grant',
      );
      // Without --subject-type the grant is Auth0's default: the client's own (client credentials).
      const own = runCli(cwd, ['grants', 'create', '--client-id', clientId, '--audience', api], env);
      assert.equal(own.status, 0, own.stderr);
      assert.ok(runCli(cwd, ['grants', 'list', '--client-id', clientId, '--subject-type', 'client'], env).stdout.startsWith(`${field(own.stdout, 'id')}  ${clientId}  ${api}  client  -`));

      const deleted = runCli(cwd, ['grants', 'delete', id], env);
      assert.deepEqual([deleted.status, deleted.stdout.trim()], [0, `deleted client grant ${id}`], deleted.stderr);
      const after = db.open();
      try {
        assert.equal(await after.findClientGrantById(id), null);
      } finally {
        await after.close();
      }
      assert.equal((await sapi('Delete a client grant')).filter((e) => e.details?.id === id && e.details?.via === 'cli').length, 1);
    });

    test('what the API refuses the CLI refuses, in one line (exit 2), and nothing changes; the file\'s entries stay the file\'s', async () => {
      const before = await snapshot();
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'https://x.example.com', '--token-lifetime', '0'], env), /^refreshd: --token-lifetime: Expected integer to be greater or equal to 1\.$/, 'lifetime 0');
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'https://x.example.com', '--token-lifetime', '2592001'], env), /^refreshd: --token-lifetime: Expected integer/, 'lifetime over 30 days');
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'https://x.example.com', '--token-lifetime', '1.5'], env), /^refreshd: --token-lifetime: Expected integer/, 'lifetime not whole');
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'https://x.example.com', '--scopes', 'read:a,read b'], env), /^refreshd: --scopes: /, 'a scope with a space');
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'https://x.example.com', '--scopes', 'read:a,read:a'], env), /^refreshd: scopes: a scope value appears twice\.$/, 'a scope twice');
      refused(runCli(cwd, ['apis', 'create', '--identifier', 'x'.repeat(601)], env), /^refreshd: --identifier: /, 'an identifier too long');
      refused(runCli(cwd, ['apis', 'create', '--identifier', FILE_API], env), /^refreshd: A resource server with identifier \S+ already exists\.$/, 'a duplicate identifier');
      refused(runCli(cwd, ['apis', 'create', '--identifier', MANAGEMENT_AUDIENCE], env), /^refreshd: The Management API is built in/, 'the Management API');
      refused(runCli(cwd, ['apis', 'delete', MANAGEMENT_AUDIENCE], env), /^refreshd: The Management API is built in/, 'deleting the Management API');
      refused(runCli(cwd, ['apis', 'delete', FILE_API], env), /^refreshd: Resource server https:\/\/file\.example\.com is declared in the configuration file/, 'the file\'s API');
      refused(runCli(cwd, ['apis', 'delete', resourceServerId(FILE_API)], env), /is declared in the configuration file/, 'the file\'s API by id');
      refused(runCli(cwd, ['grants', 'create', '--client-id', 'no-such-client', '--audience', FILE_API], env), /^refreshd: The client does not exist\.$/, 'an unknown client');
      refused(runCli(cwd, ['grants', 'create', '--client-id', 'from-file', '--audience', 'https://nowhere.example.com'], env), /^refreshd: The resource server does not exist\.$/, 'an unknown API');
      refused(runCli(cwd, ['grants', 'create', '--client-id', 'from-file', '--audience', FILE_API, '--scope', 'write:file'], env), /^refreshd: scope: not defined on https:\/\/file\.example\.com: write:file\.$/, 'a scope the API lacks');
      refused(
        runCli(cwd, ['grants', 'create', '--client-id', 'from-file', '--audience', MANAGEMENT_AUDIENCE, '--subject-type', 'user'], env),
        /^refreshd: subject_type: the Management API issues no user tokens/,
        'a user grant on the Management API',
      );
      const fileGrant = runCli(cwd, ['grants', 'list', '--client-id', 'from-file', '--audience', FILE_API], env).stdout.split('  ')[0]!;
      refused(runCli(cwd, ['grants', 'delete', fileGrant], env), /^refreshd: The client grant of from-file for https:\/\/file\.example\.com is declared in the configuration file/, 'the file\'s grant');
      refused(runCli(cwd, ['grants', 'delete', 'no-such-grant'], env), /^refreshd: The client grant does not exist\.$/, 'an unknown grant');
      // commander's own refusals (exit 1, before anything runs) for values outside the choices.
      const badType = runCli(cwd, ['grants', 'create', '--client-id', 'from-file', '--audience', FILE_API, '--subject-type', 'robot'], env);
      assert.notEqual(badType.status, 0);
      assert.match(badType.stderr, /Allowed choices are client, user/);
      assert.deepEqual(await snapshot(), before, 'nothing changed');
    });

    async function snapshot() {
      const store = db.open();
      try {
        return { apis: await store.listResourceServers(), grants: await store.listClientGrants(), clients: (await store.listClients()).map((c) => c.clientId) };
      } finally {
        await store.close();
      }
    }
  });
}

describe('refreshd config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refreshd-config-check-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { REFRESHD_ISSUER: ISSUER };

  test('lists the clients, APIs and grants the file manages, which the Management API and the CLI may not change', () => {
    const file = join(dir, 'refreshd.json');
    writeFileSync(
      file,
      JSON.stringify({
        resource_servers: [{ identifier: API, scopes: [{ value: 'read:data' }], allow_offline_access: true }],
        clients: [
          { client_id: 'my-backend', client_secret: 'at-least-32-characters-of-randomness', grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'] },
          { client_id: 'ops-tool', client_secret: 'another-32-characters-of-randomness!', grant_types: ['client_credentials'] },
        ],
        client_grants: [
          { client_id: 'my-backend', audience: API, scope: ['read:data'], subject_type: 'user' },
          { client_id: 'ops-tool', audience: MANAGEMENT_AUDIENCE, scope: ['read:refresh_tokens'] },
        ],
      }),
    );
    const r = runCli(dir, ['config', 'check', file], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `${file}: valid (2 clients, 1 APIs, 2 grants)`,
        'managed by this file (re-applied at every start; the Management API and the CLI may not change or delete them):',
        '  client  my-backend',
        '  client  ops-tool',
        `  api     ${API}`,
        `  grant   my-backend -> ${API} (subject_type user)`,
        `  grant   ops-tool -> ${MANAGEMENT_AUDIENCE} (subject_type client)`,
        '',
      ].join('\n'),
    );
  });

  test('an empty file is valid as before, with nothing listed', () => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, '{}');
    const r = runCli(dir, ['config', 'check'], { ...env, REFRESHD_CONFIG: file });
    assert.deepEqual([r.status, r.stdout], [0, `${file}: valid (0 clients, 0 APIs, 0 grants)\n`], r.stderr);
  });
});
