import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { managementAudienceFor } from '../../src/config/env.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/main.js';
import type { Store } from '../../src/ports/store.js';
import { Refreshd } from '../../src/service/refreshd.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { dumpDatabase } from '../helpers/db-dump.js';
import { API, fixtureConfig, secretOf } from '../helpers/fixtures.js';
import { post, type HttpResult } from '../helpers/server.js';
import { reportFigures } from '../helpers/soak.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { exchange, refresh } from '../helpers/tokens.js';


/** Every way a secret could show up: as sent, and the parts of it that cannot be recomputed, in common encodings. */
function spellings(secret: string): string[] {
  const out = [secret];
  if (secret.startsWith('rfd_rt_')) {
    const raw = Buffer.from(secret.slice(7), 'base64url');
    const random = raw.subarray(21, 53);
    out.push(secret.slice(7), random.toString('hex'), random.toString('base64url'), random.toString('base64'));
  } else if (secret.startsWith('eyJ')) out.push(secret.split('.')[2]!);
  out.push(encodeURIComponent(secret), Buffer.from(secret).toString('base64'));
  return out;
}

for (const kind of STORES) {
  describe(`no secret in logs, error bodies or the database (${kind}, logging at trace)`, () => {
    let db: TestDatabase;
    let store: Store;
    let baseUrl: string;
    let close: () => Promise<void>;
    const lines: string[] = [];

    before(async () => {
      db = await createTestDatabase(kind);
      store = db.open();
      await store.migrate();
      const logger = createLogger(
        'trace',
        new Writable({
          write(chunk: Buffer, _enc, done) {
            lines.push(...chunk.toString().split('\n').filter(Boolean));
            done();
          },
        }),
      );
      const issuer = 'http://refreshd.test/';
      const refreshd = await Refreshd.create({ store, issuer, clock: new ManualClock(Date.now()), logger });
      await refreshd.applyConfig(normalizeConfig(fixtureConfig(), managementAudienceFor(issuer)));
      const app = await buildApp({ refreshd, logger });
      baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
      close = async () => {
        await app.close();
        await store.close();
        await db.drop();
      };
    });
    after(() => close());

    test('a full scenario: issue, refresh, reuse, revoke, bad client auth, client credentials, secrets in the URL', async (t) => {
      const server = { baseUrl };
      const secrets: string[] = [];
      const answers: HttpResult<unknown>[] = [];
      const keep = <T extends HttpResult<unknown>>(r: T): T => {
        answers.push(r);
        const body = r.body as Record<string, unknown> | undefined;
        for (const k of ['access_token', 'refresh_token']) if (typeof body?.[k] === 'string') secrets.push(body[k] as string);
        return r;
      };
      const config = fixtureConfig() as { clients: { client_secret?: string }[] };
      for (const c of config.clients) if (c.client_secret) secrets.push(c.client_secret);

      const t0 = keep(await exchange(server)).body.refresh_token!;
      const t1 = keep(await refresh(server, t0)).body.refresh_token!;
      keep(await refresh(server, t1));
      keep(await refresh(server, t0)); // reuse: the family is revoked and a ferrt warning logged
      const l0 = keep(await exchange(server, { clientId: 'backend-leeway' })).body.refresh_token!;
      keep(await refresh(server, l0, { clientId: 'backend-leeway' }));
      keep(await refresh(server, l0, { clientId: 'backend-leeway' })); // leeway replay
      const basic = `Basic ${Buffer.from(`backend-basic:${secretOf('backend-basic')}`).toString('base64')}`;
      const b0 = keep(await post(server, '/oauth/token', { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'auth0|b', subject_token_type: 'urn:refreshd:params:oauth:token-type:user-id', audience: API, scope: 'offline_access read:data' }, { headers: { authorization: basic } }));
      const revokeMe = (b0.body as { refresh_token: string }).refresh_token;
      keep(await post(server, '/oauth/revoke', { token: revokeMe }, { headers: { authorization: basic } }));
      const wrong = 'wrong-secret-0123456789abcdefghijklmnopqrstuv';
      secrets.push(wrong);
      keep(await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'backend', client_secret: wrong, refresh_token: t1 }));
      keep(await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t1 }, { headers: { authorization: `Basic ${Buffer.from(`backend-basic:${wrong}`).toString('base64')}` } }));
      keep(await post(server, '/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: secretOf('m2m'), audience: API }));
      // A client that puts its secrets in the query string as well.
      const q = new URLSearchParams({ client_secret: secretOf('backend'), refresh_token: t1 }).toString();
      keep(await post({ baseUrl: `${baseUrl}` }, `/oauth/token?${q}`, { grant_type: 'refresh_token', client_id: 'backend', client_secret: secretOf('backend'), refresh_token: t1 }));
      keep(await post(server, `/no-such-route?${q}`, {}));
      secrets.push(basic.slice(6));

      const logs = lines.join('\n');
      const bodies = answers.map((r) => `${r.text}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}`).join('\n');
      const database = await dumpDatabase(store as SqlStore);
      assert.ok(lines.length > 30 && /"level":(10|20)/.test(logs), 'trace and debug lines were captured');
      assert.ok(database.length > 1000);
      let needles = 0;
      for (const s of secrets) {
        for (const n of spellings(s)) {
          needles++;
          assert.ok(!logs.includes(n), `a secret is in the logs: ${n.slice(0, 12)}…`);
          assert.ok(!database.includes(n), `a secret is in the database: ${n.slice(0, 12)}…`);
          // Response bodies carry the tokens issued to their own caller; refusals must carry none.
          for (const r of answers.filter((x) => x.status >= 400)) assert.ok(!r.text.includes(n), `a secret is in an error body: ${r.text}`);
        }
      }
      assert.ok(bodies.length > 0);
      // Structured logs with request ids: every answer's x-request-id names the lines of its request.
      const reqIds = new Set(lines.map((l) => (JSON.parse(l) as { reqId?: string }).reqId).filter(Boolean));
      for (const r of answers) assert.ok(reqIds.has(r.headers.get('x-request-id')!), 'the request id is in the logs');
      assert.match(logs, /"event":"ferrt"/);
      reportFigures(t, `no-secret-leaks-${kind}`, { requests: answers.length, logLines: lines.length, secrets: secrets.length, spellingsSearched: needles, found: 0 });
    });
  });
}
