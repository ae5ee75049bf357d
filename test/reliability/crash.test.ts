import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoreDialect } from '../../src/ports/store.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { fixtureDir, startInstance } from '../helpers/instances.js';
import { freePort, type ServerProcess } from '../helpers/process.js';
import { reportFigures, scaled } from '../helpers/soak.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { familyIdOf } from '../helpers/tokens.js';

const CRASHES = scaled(5, 60);
const WORKERS = 8;

/** The generation a refresh token carries (bytes 17–20 of its body). */
const generationOf = (token: string) => Buffer.from(token.slice('rfd_rt_'.length), 'base64url').readUInt32BE(17);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

type Outcome = { kind: 'answer'; status: number; body: Record<string, string> } | { kind: 'lost' };

/** One POST whose outcome may be unknown: a reset or refused connection is 'lost' (the client saw no answer). */
async function attempt(baseUrl: string, params: Record<string, string>): Promise<Outcome> {
  try {
    const res = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(10_000),
    });
    return { kind: 'answer', status: res.status, body: (await res.json()) as Record<string, string> };
  } catch {
    return { kind: 'lost' };
  }
}

interface Chain {
  clientId: string;
  /** The newest token the client received in a 200, or null before issuance. */
  token: string | null;
  /** The last request's answer was lost: the server may or may not have rotated. */
  uncertain: boolean;
  /** When the client last saw an answer lost: any rotation the lost requests committed happened before it. */
  lostAt: number;
  ok: number;
}

/** backend-leeway's leeway (test/helpers/fixtures.ts). */
const LEEWAY_MS = 30_000;

/**
 * A retry after lost answers may be refused as reuse when no leeway protects it, or when the leeway window has
 * surely closed (every rotation the lost requests made is older than the leeway: a slow restart on a loaded box).
 */
const mayBeRevoked = (chain: Chain) => chain.uncertain && (chain.clientId !== 'backend-leeway' || Date.now() - chain.lostAt > LEEWAY_MS);

/**
 * A client that refreshes its token over and over, as an app would: it keeps the newest token it received in a
 * 200 and, when an answer is lost, retries with the token it has.
 */
async function runClient(chain: Chain, url: () => string, stop: () => boolean, log: { issued: string[]; lost: number; violations: string[]; revokedChains: number }) {
  while (!stop()) {
    if (chain.token === null) {
      const r = await attempt(url(), {
        grant_type: TOKEN_EXCHANGE_GRANT,
        client_id: chain.clientId,
        client_secret: secretOf(chain.clientId),
        subject_token: `auth0|crash-${chain.clientId}`,
        subject_token_type: USER_ID_TOKEN_TYPE,
        audience: API,
        scope: 'openid offline_access read:data',
      });
      if (r.kind === 'answer' && r.status === 200) {
        chain.token = r.body.refresh_token!;
        chain.uncertain = false;
        log.issued.push(familyIdOf(chain.token));
      } else if (r.kind === 'lost') await sleep(20);
      else log.violations.push(`issuance answered ${r.status} ${JSON.stringify(r.body)}`);
      continue;
    }
    const r = await attempt(url(), { grant_type: 'refresh_token', client_id: chain.clientId, client_secret: secretOf(chain.clientId), refresh_token: chain.token });
    if (r.kind === 'lost') {
      if (!chain.uncertain) log.lost++;
      chain.uncertain = true;
      chain.lostAt = Date.now();
      await sleep(20);
    } else if (r.status === 200) {
      chain.token = r.body.refresh_token!;
      chain.uncertain = false;
      chain.ok++;
    } else if (r.status === 403 && mayBeRevoked(chain)) {
      // Without leeway (or after it) a retry after a lost answer is indistinguishable from a replay: the family is
      // revoked, which the property allows. The client starts over.
      log.revokedChains++;
      chain.token = null;
    } else {
      log.violations.push(`${chain.clientId}: a token received in a 200 was refused: ${r.status} ${JSON.stringify(r.body)} (uncertain=${chain.uncertain})`);
      chain.token = null;
    }
  }
}

async function crashRun(kind: StoreDialect, t: import('node:test').TestContext, db: TestDatabase, files: ReturnType<typeof fixtureDir>, holder: { server: ServerProcess | null }) {
  const port = await freePort();
  holder.server = await startInstance({ ...files, databaseUrl: db.url, port });
  const url = () => `http://127.0.0.1:${port}`;
  let stopping = false;
  const log = { issued: [] as string[], lost: 0, violations: [] as string[], revokedChains: 0 };
  const chains: Chain[] = Array.from({ length: WORKERS }, (_, i) => ({ clientId: i % 2 === 0 ? 'backend-leeway' : 'backend', token: null, uncertain: false, lostAt: 0, ok: 0 }));
  const clients = chains.map((c) => runClient(c, url, () => stopping, log));

  let downtimeMs = 0;
  for (let k = 0; k < CRASHES; k++) {
    // Let load build up, then kill -9 in the middle of it.
    const okBefore = chains.reduce((n, c) => n + c.ok, 0);
    await sleep(150 + Math.random() * 350);
    for (let i = 0; i < 100 && chains.reduce((n, c) => n + c.ok, 0) - okBefore < 40; i++) await sleep(20);
    const down = Date.now();
    await holder.server.stop('SIGKILL');
    holder.server = await startInstance({ ...files, databaseUrl: db.url, port });
    downtimeMs += Date.now() - down;
  }
  await sleep(300);
  stopping = true;
  await Promise.all(clients);
  assert.deepEqual(log.violations, []);

  // After the last restart: every family is in a state some client history explains, and nothing is half-written.
  const store = db.open() as SqlStore;
  try {
    const rows = await store.db.selectFrom('token_families').selectAll().execute();
    const sessions = new Set((await store.db.selectFrom('sessions').select('id').execute()).map((s) => s.id));
    for (const row of rows) {
      assert.equal(Buffer.from(row.current_hash).length, 32, `family ${row.id}: current hash`);
      if (Number(row.generation) > 0) {
        assert.equal(Buffer.from(row.previous_hash!).length, 32, `family ${row.id}: previous hash`);
        assert.notEqual(row.rotated_at, null, `family ${row.id}: rotated_at`);
        if (row.client_id === 'backend-leeway') assert.notEqual(row.successor_box, null, `family ${row.id}: successor box`);
      }
      assert.ok(row.session_id !== null && sessions.has(row.session_id), `family ${row.id}: its session exists`);
    }
    // No token lost: every family a client was issued is there.
    const ids = new Set(rows.map((r) => r.id));
    for (const id of log.issued) assert.ok(ids.has(id), `issued family ${id} is missing after the crashes`);
    for (const chain of chains.filter((c) => c.token !== null)) {
      const fam = await store.findFamily(familyIdOf(chain.token!));
      const g = generationOf(chain.token!);
      // The last 200's generation, or one more if its next answer was lost after the commit.
      assert.ok(fam && (fam.generation === g || (chain.uncertain && fam.generation === g + 1)), `family at ${fam?.generation}, client holds ${g}`);
    }
  } finally {
    await store.close();
  }
  // And every token a client holds works on the restarted server (leeway clients converge even after a lost answer).
  let verified = 0;
  for (const chain of chains.filter((c) => c.token !== null)) {
    const r = await attempt(url(), { grant_type: 'refresh_token', client_id: chain.clientId, client_secret: secretOf(chain.clientId), refresh_token: chain.token! });
    assert.equal(r.kind, 'answer');
    if (r.kind !== 'answer') continue;
    if (r.status === 200) verified++;
    else assert.ok(mayBeRevoked(chain) && r.status === 403, `${chain.clientId} token refused after restart: ${r.status}`);
  }
  const refreshes = chains.reduce((n, c) => n + c.ok, 0);
  reportFigures(t, `crash-${kind}`, {
    crashes: CRASHES,
    refreshes200: refreshes,
    familiesIssued: log.issued.length,
    requestsWhoseAnswerWasLost: log.lost,
    familiesRevokedByRetryOutsideLeeway: log.revokedChains,
    tokensVerifiedAfterLastRestart: verified,
    downtimeSeconds: Math.round(downtimeMs / 100) / 10,
    dataLost: 0,
  });
}

for (const kind of STORES) {
  describe(`kill -9 during sustained refresh load (${kind})`, () => {
    let db: TestDatabase;
    const files = fixtureDir();
    const holder: { server: ServerProcess | null } = { server: null };
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(async () => {
      await holder.server?.stop('SIGKILL');
      await db?.drop();
      files.remove();
    });

    test(`${CRASHES} crashes: every token a client got in a 200 still works (or its family was revoked by reuse); nothing half-written, nothing lost`, async (t) => {
      await crashRun(kind, t, db, files, holder);
    });
  });
}
