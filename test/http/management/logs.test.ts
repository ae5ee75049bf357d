import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/fixtures.js';
import { api, managementToken, sdkWithClientCredentials } from '../../helpers/management.js';
import type { Auth0Log as Log } from '../../../src/events/log-format.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';
import { exchange, familyIdOf, refresh } from '../../helpers/tokens.js';


for (const kind of STORES) {
  describe(`GET /api/v2/logs (${kind})`, () => {
    let server: TestServer;
    let token: string;
    const secrets: string[] = [];
    let familyId = '';

    before(async () => {
      server = await startServer(kind, { realIssuer: true, recordEvents: true });
      token = await managementToken(server);
      const issued = await exchange(server, { userId: 'auth0|logs', headers: { 'user-agent': 'LogAgent/1' } });
      familyId = familyIdOf(issued.body.refresh_token!);
      const r1 = await refresh(server, issued.body.refresh_token!);
      await refresh(server, issued.body.refresh_token!); // reuse
      const mgmtDelete = await api(server, 'DELETE', `/refresh-tokens/${familyId}`, { token });
      assert.equal(mgmtDelete.status, 202);
      secrets.push(issued.body.refresh_token!, r1.body.refresh_token!, issued.body.access_token, r1.body.access_token, token, secretOf('backend'));
      await server.recorder!.flush();
    });
    after(() => server.close());

    test('search mode: newest first, Auth0 log shape, and never a secret', async () => {
      const r = await api<Log[]>(server, 'GET', '/logs', { token });
      assert.equal(r.status, 200, r.text);
      const types = r.body.map((l) => l.type);
      for (const t of ['secte', 'sertft', 'ferrt', 'seccft', 'sapi']) assert.ok(types.includes(t), `has ${t}`);
      const dates = r.body.map((l) => Date.parse(l.date));
      assert.deepEqual(dates, [...dates].sort((a, b) => b - a));
      const issued = r.body.find((l) => l.type === 'secte')!;
      assert.deepEqual(Object.keys(issued).sort(), ['client_id', 'date', 'description', 'details', 'ip', 'log_id', 'type', 'user_agent', 'user_id']);
      assert.equal(issued.user_id, 'auth0|logs');
      assert.equal(issued.user_agent, 'LogAgent/1');
      assert.equal(issued.details.familyId, familyId);
      const sapi = r.body.find((l) => l.type === 'sapi')!;
      assert.equal(sapi.client_id, 'mgmt');
      for (const s of secrets) assert.ok(!r.text.includes(s), 'no token or secret in logs');
    });

    test('q filters by type and user; include_totals wraps the page', async () => {
      const r = await api<{ start: number; limit: number; length: number; total: number; logs: Log[] }>(
        server,
        'GET',
        `/logs?include_totals=true&per_page=10&q=${encodeURIComponent('type:ferrt AND user_id:"auth0|logs"')}`,
        { token },
      );
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.body.start, r.body.limit, r.body.length, r.body.total], [0, 10, 1, 1]);
      assert.deepEqual(r.body.logs[0]!.details, { familyId, latestCounter: 1, tokenCounter: 0 });
      const fields = await api<Log[]>(server, 'GET', '/logs?per_page=2&fields=log_id,type', { token });
      assert.deepEqual(Object.keys(fields.body[0]!).sort(), ['log_id', 'type']);
      const without = await api<Log[]>(server, 'GET', '/logs?per_page=2&fields=details&include_fields=false', { token });
      assert.ok(!('details' in without.body[0]!) && 'log_id' in without.body[0]!);
      assert.equal((await api(server, 'GET', '/logs?fields=secret', { token })).status, 400);
      const bad = await api(server, 'GET', `/logs?q=${encodeURIComponent('password:x')}`, { token });
      assert.deepEqual([bad.status, (bad.body as { errorCode: string }).errorCode], [400, 'invalid_query_string']);
    });

    test('a search value with a control character is a 400, not a database error (NUL: found by fuzz-management)', async () => {
      for (const query of ['q=type:sapi%00', 'search=client_id:%00', `q=${encodeURIComponent('user_id:"a\u0000b"')}&include_totals=true`, 'q=type:sapi%01', 'q=type:%0Asapi']) {
        const r = await api(server, 'GET', `/logs?${query}`, { token });
        assert.equal(r.status, 400, `${query}: ${r.text}`);
        assert.deepEqual(Object.keys(r.body).sort(), ['error', 'errorCode', 'message', 'statusCode']);
        assert.equal((r.body as { errorCode: string }).errorCode, 'invalid_query_string');
      }
      // Printable values (quoted, with spaces, non-ASCII) still search.
      const ok = await api(server, 'GET', `/logs?q=${encodeURIComponent('user_id:"auth0|lögs x"')}`, { token });
      assert.equal(ok.status, 200, ok.text);
    });

    // Issue 11 §3.12: the field names were looked up with `in` on a plain object, so `__proto__:x` and
    // `constructor:x` were accepted (and silently searched nothing) instead of refused.
    test('q refuses inherited property names as fields (__proto__, constructor, toString, …) with a 400', async () => {
      for (const field of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
        for (const q of [`${field}:x`, `type:sapi AND ${field}:"x"`]) {
          const r = await api(server, 'GET', `/logs?q=${encodeURIComponent(q)}`, { token });
          assert.equal(r.status, 400, `${q}: ${r.text}`);
          assert.equal((r.body as { errorCode: string }).errorCode, 'invalid_query_string');
        }
      }
    });

    test('a client_id longer than any client can have is a 400 in q, not a lookup', async () => {
      const r = await api(server, 'GET', `/logs?q=${encodeURIComponent(`client_id:${'c'.repeat(65)}`)}`, { token });
      assert.equal(r.status, 400, r.text);
      assert.match((r.body as { message: string }).message, /client_id is too long \(at most 64 characters\)/);
      assert.equal((await api(server, 'GET', `/logs?q=${encodeURIComponent(`client_id:${'c'.repeat(64)}`)}`, { token })).status, 200);
    });

    test('checkpoint mode: from/take return each event once, oldest first, with a Link to the next page', async () => {
      const all = (await api<Log[]>(server, 'GET', '/logs?sort=date:1&per_page=100', { token })).body;
      const first = all[0]!.log_id;
      const seen: string[] = [first];
      let from = first;
      for (;;) {
        const page = await api<Log[]>(server, 'GET', `/logs?from=${from}&take=2`, { token });
        assert.equal(page.status, 200);
        assert.match(page.headers.get('link') ?? '', /rel="next"/);
        if (page.body.length === 0) break;
        seen.push(...page.body.map((l) => l.log_id));
        from = page.body.at(-1)!.log_id;
      }
      assert.deepEqual(seen, all.map((l) => l.log_id));
      const tampered = await api(server, 'GET', '/logs?from=not-a-log-id', { token });
      assert.equal(tampered.status, 400);
    });

    test('one log by id; unknown ids are 404 in the envelope', async () => {
      const [latest] = (await api<Log[]>(server, 'GET', '/logs?per_page=1', { token })).body;
      const one = await api<Log>(server, 'GET', `/logs/${latest!.log_id}`, { token });
      assert.deepEqual(one.body, latest);
      const missing = await api(server, 'GET', '/logs/000000000000000000000000000', { token });
      assert.deepEqual(missing.body, { statusCode: 404, error: 'Not Found', message: 'The log does not exist.', errorCode: 'inexistent_log' });
    });

    test('read:logs is required', async () => {
      const narrow = await managementToken(server, 'read:refresh_tokens');
      const r = await api(server, 'GET', '/logs', { token: narrow });
      assert.equal(r.status, 403);
      assert.equal((r.body as { errorCode: string }).errorCode, 'insufficient_scope');
    });

    test('the official SDK lists and reads logs', async () => {
      const sdk = sdkWithClientCredentials(server);
      const page = await sdk.logs.list({ per_page: 5 });
      assert.equal(page.data.length, 5);
      const ids: string[] = [];
      for await (const log of await sdk.logs.list({ per_page: 3 })) ids.push(log.log_id!);
      const total = (await api<Log[]>(server, 'GET', '/logs?per_page=100', { token })).body.length;
      assert.equal(ids.length, total, 'paging with the SDK reaches every log once');
      assert.equal(new Set(ids).size, total);
      const one = await sdk.logs.get(ids[0]!);
      assert.equal(one.log_id, ids[0]);
    });
  });
}
