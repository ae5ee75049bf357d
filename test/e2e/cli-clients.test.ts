import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '../../src/tokens/refresh-token.js';
import { applyConfigAsServerDoes } from '../helpers/cli-database.js';
import { runCli } from '../helpers/process.js';
import { familyRecord, sessionRecord } from '../helpers/records.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const credentials = (stdout: string) => ({
  clientId: /client_id:\s+(\S+)/.exec(stdout)?.[1] ?? '',
  clientSecret: /client_secret:\s+(\S+)/.exec(stdout)?.[1] ?? '',
});

// The CLI forms of cutting off a leaked credential (issue 11 §3.11): the same use cases as
// DELETE /api/v2/clients/{id} and POST /api/v2/clients/{id}/rotate-secret?revoke_tokens=true.
for (const kind of STORES) {
  describe(`refreshd clients delete and rotate-secret --revoke-tokens (${kind})`, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'refreshd-cli-'));
    const configPath = join(cwd, 'refreshd.json');
    let db: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      db = await createTestDatabase(kind);
      env = { REFRESHD_DATABASE_URL: db.url, REFRESHD_CONFIG: configPath, REFRESHD_ISSUER: 'https://auth.example.com/' };
      await applyConfigAsServerDoes(db, configPath, env.REFRESHD_ISSUER!, {
        clients: [{ client_id: 'from-file', client_secret: 'a-secret-of-the-configuration-file-0123456789', grant_types: ['client_credentials'] }],
      });
    });
    after(async () => {
      await db.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    async function withFamily(clientId: string) {
      const store = db.open();
      try {
        const now = Date.now();
        const session = sessionRecord(now);
        const family = familyRecord(now, { clientId, sessionId: session.id });
        await store.createFamily(family, { maxActive: 200, now, session });
        return family.id;
      } finally {
        await store.close();
      }
    }

    test('rotate-secret --revoke-tokens: a new secret, the client\'s refresh tokens revoked, earlier Management tokens cut off, a sapi event', async () => {
      const created = runCli(cwd, ['clients', 'create', '--name', 'ops', '--management'], env);
      assert.equal(created.status, 0, created.stderr);
      const { clientId, clientSecret } = credentials(created.stdout);
      const familyId = await withFamily(clientId);

      const rotated = runCli(cwd, ['clients', 'rotate-secret', clientId, '--revoke-tokens'], env);
      assert.equal(rotated.status, 0, rotated.stderr);
      const fresh = credentials(rotated.stdout).clientSecret;
      assert.ok(fresh.length >= 32 && fresh !== clientSecret);
      assert.match(rotated.stdout, /revoked 1 refresh token/);

      const store = db.open();
      try {
        const client = await store.findClient(clientId);
        assert.deepEqual(client?.secretHash, sha256(fresh));
        assert.ok(typeof client?.tokensValidAfter === 'number' && client.tokensValidAfter <= Date.now());
        assert.notEqual((await store.findFamily(familyId))?.revokedAt ?? null, null, 'the family is revoked');
        const events = (await store.listEvents({ limit: 50, type: 'sapi' })).filter((e) => e.details?.client_id === clientId);
        const event = events.find((e) => e.description === 'Rotate a client secret');
        assert.ok(event, JSON.stringify(events));
        assert.equal(event.details?.via, 'cli');
        assert.ok(!JSON.stringify(event).includes(fresh), 'the secret is never in an event');
        // `clients create --management` went through the same use cases as POST /clients and /client-grants.
        const create = events.find((e) => e.description === 'Create a client');
        assert.equal(create?.details?.via, 'cli', JSON.stringify(events));
        const grant = events.find((e) => e.description === 'Create a client grant');
        assert.equal(grant?.details?.audience, 'https://auth.example.com/api/v2/', JSON.stringify(events));
        assert.ok(!JSON.stringify(events).includes(created.stdout.match(/client_secret: *(\S+)/)![1]!), 'the first secret is never in an event');
      } finally {
        await store.close();
      }
    });

    test('delete: the client goes, its refresh tokens are revoked first, and the event is stored', async () => {
      const created = runCli(cwd, ['clients', 'create', '--name', 'doomed', '--auth-method', 'client_secret_post'], env);
      assert.equal(created.status, 0, created.stderr);
      const { clientId } = credentials(created.stdout);
      const familyId = await withFamily(clientId);

      const deleted = runCli(cwd, ['clients', 'delete', clientId], env);
      assert.equal(deleted.status, 0, deleted.stderr);
      assert.match(deleted.stdout, new RegExp(`deleted ${clientId}; revoked 1 refresh token`));
      const store = db.open();
      try {
        assert.equal(await store.findClient(clientId), null);
        assert.notEqual((await store.findFamily(familyId))?.revokedAt ?? null, null);
        const events = (await store.listEvents({ limit: 50, type: 'sapi' })).filter((e) => e.details?.client_id === clientId);
        assert.ok(events.some((e) => e.description === 'Delete a client'), JSON.stringify(events));
      } finally {
        await store.close();
      }
    });

    test('an unknown client and a client the configuration file declares are one-line errors (exit 2), nothing changed', async () => {
      const unknown = runCli(cwd, ['clients', 'delete', 'no-such-client'], env);
      assert.equal(unknown.status, 2);
      assert.equal(unknown.stderr.trim(), 'refreshd: The client does not exist.');
      for (const args of [['clients', 'delete', 'from-file'], ['clients', 'rotate-secret', 'from-file']]) {
        const r = runCli(cwd, args, env);
        assert.equal(r.status, 2, args.join(' '));
        assert.match(r.stderr, /declared in the configuration file/);
        assert.equal(r.stderr.trim().split('\n').length, 1);
      }
      const store = db.open();
      try {
        assert.deepEqual((await store.findClient('from-file'))?.secretHash, sha256('a-secret-of-the-configuration-file-0123456789'));
      } finally {
        await store.close();
      }
    });
  });
}
