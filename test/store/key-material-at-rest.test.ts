import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ConfigError } from '../../src/core/errors.js';
import type { Store } from '../../src/ports/store.js';
import { Refreshd } from '../../src/service/refreshd.js';
import { KeyCipher } from '../../src/store/key-cipher.js';
import { openStore } from '../../src/store/open-store.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { CLI } from '../helpers/process.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

// Issue 11 §3.5: the SQLite files are private to refreshd's user whatever the umask, and private key material
// (signing keys' private JWKs, the MAC keys in server_secrets) can be encrypted at rest under
// REFRESHD_KEY_ENCRYPTION_KEY, on both stores.
const ISSUER = 'https://auth.example.com/';
const mode = (path: string) => statSync(path).mode & 0o777;

describe('SQLite files are created private (0700 directory, 0600 files)', () => {
  const root = mkdtempSync(join(tmpdir(), 'refreshd-perm-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a permissive umask (000) still gives 0700 / 0600 for the database, -wal and -shm', async () => {
    const previous = process.umask(0o000);
    let store: Store | null = null;
    try {
      const dir = join(root, 'nested', 'data');
      const file = join(dir, 'refreshd.db');
      store = openStore(`sqlite:${file}`);
      await store.migrate();
      const refreshd = await Refreshd.create({ store, issuer: ISSUER, signingWorkers: 0 });
      await refreshd.close();
      assert.equal(mode(dir).toString(8), '700');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f).toString(8), '600', f);
    } finally {
      process.umask(previous);
      await store?.close();
    }
  });

  test('an existing database others can read is named in a warning at start (and left as it is)', async () => {
    const dir = mkdtempSync(join(root, 'existing-'));
    const file = join(dir, 'refreshd.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const store = openStore(`sqlite:${file}`, { onWarning: (m) => warnings.push(m) });
    await store.close();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is readable by others \\(mode 0644\\).*chmod 600`));
    assert.equal(mode(file).toString(8), '644', 'the operator decides; refreshd does not change an existing file');
  });
});

for (const kind of STORES) {
  describe(`private key material encrypted at rest (${kind})`, () => {
    const cipher = new KeyCipher(randomBytes(32));
    const dbs: TestDatabase[] = [];
    const stores: Store[] = [];
    after(async () => {
      for (const s of stores) await s.close().catch(() => {});
      for (const d of dbs) await d.drop();
    });

    async function freshDatabase(): Promise<TestDatabase> {
      const db = await createTestDatabase(kind);
      dbs.push(db);
      return db;
    }
    function open(db: TestDatabase, keyCipher: KeyCipher | null): Store {
      const store = openStore(db.url, { keyCipher });
      stores.push(store);
      return store;
    }
    async function start(store: Store): Promise<Refreshd> {
      await store.migrate();
      const refreshd = await Refreshd.create({ store, issuer: ISSUER, signingWorkers: 0 });
      await refreshd.close();
      return refreshd;
    }
    async function rawRows(store: Store) {
      const db = (store as SqlStore).db;
      const keys = await sql<{ kid: string; private_jwk: string }>`select kid, private_jwk from signing_keys`.execute(db);
      const secrets = await sql<{ name: string; value: Buffer }>`select name, value from server_secrets`.execute(db);
      return { keys: keys.rows, secrets: secrets.rows };
    }
    /** Proves from the raw rows that no private key material is readable: no private JWK member, no secret's bytes. */
    async function assertNothingInPlaintext(store: Store): Promise<void> {
      const raw = await rawRows(store);
      const opened = await store.listSigningKeys();
      assert.equal(raw.keys.length, 3, 'RS256, ES256 and EdDSA keys');
      for (const row of raw.keys) {
        const jwk = JSON.parse(opened.find((k) => k.kid === row.kid)!.privateJwk) as Record<string, string>;
        assert.ok(jwk.d && jwk.d.length > 20, 'the store hands refreshd the private key');
        assert.doesNotMatch(row.private_jwk, /"d"\s*:/, `signing key ${row.kid}: no private JWK member in the row`);
        assert.ok(!row.private_jwk.includes(jwk.d), `signing key ${row.kid}: the private exponent is not in the row`);
        assert.throws(() => JSON.parse(row.private_jwk) as unknown, `signing key ${row.kid}: the row is not a JWK`);
      }
      const names = raw.secrets.map((s) => s.name).sort();
      assert.ok(names.includes('refresh_token_mac') && names.includes('cursor_mac'), names.join());
      for (const row of raw.secrets) {
        const secret = await store.getOrCreateSecret(row.name, () => randomBytes(32), Date.now());
        assert.ok(secret.length >= 16);
        assert.equal(Buffer.from(row.value).indexOf(secret), -1, `server secret ${row.name}: its bytes are not in the row`);
        assert.notEqual(Buffer.from(row.value).indexOf(secret.toString('base64url')), 0, `server secret ${row.name}: not as base64url either`);
      }
    }

    test('with REFRESHD_KEY_ENCRYPTION_KEY, signing keys and MAC keys are written encrypted, and work', async () => {
      const db = await freshDatabase();
      const store = open(db, cipher);
      const refreshd = await start(store);
      await store.getOrCreateSecret('cursor_mac', () => randomBytes(32), Date.now());
      await assertNothingInPlaintext(store);
      assert.equal((await refreshd.keys.jwks()).keys.length, 3);
      const rotated = await refreshd.keys.rotate('ES256', { activationDelaySeconds: 0, graceSeconds: 60 });
      const row = (await rawRows(store)).keys.find((k) => k.kid === rotated.key.kid);
      assert.ok(row && !row.private_jwk.includes('"d"'), 'a rotated key is written encrypted too');
      refreshd.keys.invalidate();
      const signing = await refreshd.keys.signingKey('ES256');
      assert.equal(signing.kid, rotated.key.kid, 'and signs once active');
    });

    test('without the key, or with another, start fails with one line naming the setting', async () => {
      const db = await freshDatabase();
      await start(open(db, cipher));
      for (const [keyCipher, pattern] of [
        [null, /is encrypted at rest \(key [\w-]+\); set REFRESHD_KEY_ENCRYPTION_KEY to the key it was encrypted with/],
        [new KeyCipher(randomBytes(32)), /is encrypted under key [\w-]+, but REFRESHD_KEY_ENCRYPTION_KEY is key [\w-]+/],
      ] as const) {
        await assert.rejects(start(open(db, keyCipher)), (err: Error) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, pattern);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        });
      }
    });

    test('the real server refuses to start without the key: exit 2, one line on stderr, no stack', async () => {
      const db = await freshDatabase();
      await start(open(db, cipher));
      const cwd = mkdtempSync(join(tmpdir(), 'refreshd-kek-'));
      try {
        const env: NodeJS.ProcessEnv = { ...process.env, REFRESHD_DATABASE_URL: db.url, REFRESHD_ISSUER: ISSUER, PORT: '0', LOG_LEVEL: 'fatal' };
        delete env.REFRESHD_KEY_ENCRYPTION_KEY;
        const r = spawnSync(process.execPath, [CLI, 'serve'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 2, r.stderr + r.stdout);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, /^refreshd: (signing key|server secret) \S+ is encrypted at rest .*REFRESHD_KEY_ENCRYPTION_KEY/);
        assert.doesNotMatch(r.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });

    test('keys stored in plaintext before keep working and are encrypted at the next start with the key', async () => {
      const db = await freshDatabase();
      const before = open(db, null);
      await start(before);
      const macBefore = await before.getOrCreateSecret('refresh_token_mac', () => randomBytes(32), Date.now());
      const kidsBefore = (await before.listSigningKeys()).map((k) => k.kid).sort();
      assert.ok((await rawRows(before)).keys.every((k) => k.private_jwk.includes('"d"')), 'plaintext before the key is set');
      await before.getOrCreateSecret('cursor_mac', () => randomBytes(32), Date.now());

      const withKey = open(db, cipher);
      await start(withKey);
      await assertNothingInPlaintext(withKey);
      assert.deepEqual(await withKey.getOrCreateSecret('refresh_token_mac', () => randomBytes(32), Date.now()), macBefore, 'the same MAC key: tokens issued before still verify');
      assert.deepEqual((await withKey.listSigningKeys()).map((k) => k.kid).sort(), kidsBefore, 'the same signing keys');
      assert.deepEqual(await withKey.sealKeyMaterial(), { signingKeys: 0, secrets: 0 }, 'nothing left to encrypt');
    });

    test('a ciphertext copied into another row does not decrypt there', async () => {
      const db = await freshDatabase();
      const store = open(db, cipher);
      await start(store);
      await store.getOrCreateSecret('cursor_mac', () => randomBytes(32), Date.now());
      const handle = (store as SqlStore).db;
      await sql`update server_secrets set value = (select value from server_secrets where name = 'cursor_mac') where name = 'refresh_token_mac'`.execute(handle);
      await assert.rejects(start(open(db, cipher)), (err: Error) => err instanceof ConfigError && /server secret refresh_token_mac cannot be decrypted/.test(err.message));
    });
  });
}
