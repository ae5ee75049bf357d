import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { api, freshUser, issueToken, managementToken } from '../helpers/management.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';

// Issue 11 §3.6: text that is not well-formed Unicode (a lone surrogate, or bytes that are not UTF-8) is refused
// with a 400 wherever it enters, instead of being stored as U+FFFD, which made `auth0|a\ud800` and `auth0|a\udbff`
// one subject. Each refused request below was a 200 before, storing U+FFFD.
type Wire = Record<string, unknown>;

const exchangeForm = (subject: string, extra = '') =>
  `grant_type=${encodeURIComponent(TOKEN_EXCHANGE_GRANT)}&client_id=backend&client_secret=${secretOf('backend')}` +
  `&subject_token_type=${encodeURIComponent(USER_ID_TOKEN_TYPE)}&audience=${encodeURIComponent(API)}&scope=openid%20offline_access` +
  `&subject_token=${subject}${extra}`;

async function rawPost(server: TestServer, path: string, body: Buffer | string, contentType: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Wire, text };
}

for (const kind of STORES) {
  describe(`ill-formed Unicode is refused, never stored as U+FFFD (${kind})`, () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startServer(kind);
      token = await managementToken(server);
    });
    after(() => server.close());

    /** Sessions stored for user ids starting with `prefix` (read from the table itself). */
    async function sessionsOf(prefix: string): Promise<string[]> {
      const rows = await sql<{ user_id: string }>`select user_id from sessions where user_id like ${`${prefix}%`}`.execute((server.store as SqlStore).db);
      return rows.rows.map((r) => r.user_id);
    }

    test('the form baseline: a well-formed subject is issued (and a non-ASCII one too)', async () => {
      const prefix = `auth0|ok-${randomBytes(4).toString('hex')}-`;
      const r = await rawPost(server, '/oauth/token', exchangeForm(encodeURIComponent(`${prefix}é`)), 'application/x-www-form-urlencoded');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(await sessionsOf(prefix), [`${prefix}é`]);
    });

    test('form body: percent-encoded lone surrogates (%ED%A0%80, %ED%B0%80) and %FF are invalid_request; nothing stored', async () => {
      const prefix = `auth0|form-${randomBytes(4).toString('hex')}-`;
      for (const bad of ['%ED%A0%80', '%ED%B0%80', '%FF', '%C0%AF']) {
        const r = await rawPost(server, '/oauth/token', exchangeForm(`${encodeURIComponent(prefix)}${bad}`), 'application/x-www-form-urlencoded');
        assert.equal(r.status, 400, `${bad}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_request');
      }
      assert.deepEqual(await sessionsOf(prefix), [], 'no subject was created from the decoded replacement characters');
    });

    test('form body: raw bytes that are not UTF-8 are invalid_request', async () => {
      const prefix = `auth0|raw-${randomBytes(4).toString('hex')}-`;
      const body = Buffer.concat([Buffer.from(exchangeForm(encodeURIComponent(prefix))), Buffer.from([0xed, 0xa0, 0x80])]);
      const r = await rawPost(server, '/oauth/token', body, 'application/x-www-form-urlencoded');
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error, 'invalid_request');
      assert.deepEqual(await sessionsOf(prefix), []);
    });

    test('JSON body: \\ud800 escapes in subject_token, session_id or a parameter name are invalid_request; nothing stored', async () => {
      const prefix = `auth0|json-${randomBytes(4).toString('hex')}-`;
      const base = { grant_type: TOKEN_EXCHANGE_GRANT, client_id: 'backend', client_secret: secretOf('backend'), subject_token_type: USER_ID_TOKEN_TYPE, audience: API, scope: 'openid offline_access' };
      for (const body of [
        JSON.stringify({ ...base, subject_token: `${prefix}\ud800` }),
        JSON.stringify({ ...base, subject_token: `${prefix}\udbff` }),
        JSON.stringify({ ...base, subject_token: `${prefix}x`, session_id: 'a\udc00' }),
        JSON.stringify({ ...base, subject_token: `${prefix}y`, 'x\ud800': 'y' }),
      ]) {
        assert.match(body, /\\ud[89a-f][0-9a-f]{2}/, 'JSON.stringify escapes the lone surrogate');
        const r = await post<Wire>(server, '/oauth/token', body, { json: true });
        assert.equal(r.status, 400, `${body}: ${r.text}`);
        assert.equal(r.body.error, 'invalid_request');
      }
      assert.deepEqual(await sessionsOf(prefix), []);
      const raw = await rawPost(server, '/oauth/token', Buffer.concat([Buffer.from(JSON.stringify({ ...base, subject_token: prefix }).slice(0, -2)), Buffer.from([0xff, 0x22, 0x7d])]), 'application/json');
      assert.equal(raw.status, 400, raw.text);
      assert.equal(raw.body.error, 'invalid_request');
    });

    test('refresh_token_metadata (JSON in a parameter) with a lone surrogate value is invalid_request', async () => {
      const r = await exchange(server, { userId: freshUser(), metadata: '{"device":"phone\\ud800"}' });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error, 'invalid_request');
      assert.match(r.body.error_description ?? '', /well-formed/);
    });

    test('the library refuses an ill-formed user id too', async () => {
      await assert.rejects(
        server.refreshd.issue({ clientId: 'backend', userId: 'lib|\ud800', audience: API, scope: 'openid offline_access' }),
        (err: { error?: string }) => err.error === 'invalid_request',
      );
    });

    test('Management API: lone surrogates in session_metadata or refresh_token_metadata are 400 invalid_body; nothing written', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const emoji = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: { session_metadata: { device: 'phone 📱' } } });
      assert.equal(emoji.status, 200, `a well-formed surrogate pair is fine: ${emoji.text}`);
      for (const [path, field] of [
        [`/sessions/${t.sessionId}`, 'session_metadata'],
        [`/refresh-tokens/${t.id}`, 'refresh_token_metadata'],
      ] as const) {
        const r = await api<Wire>(server, 'PATCH', path, { token, body: `{"${field}":{"device":"phone \\ud83d"}}` });
        assert.equal(r.status, 400, `${path}: ${r.text}`);
        assert.equal(r.body.errorCode, 'invalid_body');
        assert.equal(r.body.statusCode, 400);
      }
      const raw = await fetch(`${server.baseUrl}/api/v2/sessions/${t.sessionId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"session_metadata":{"device":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]),
      });
      assert.equal(raw.status, 400);
      assert.equal(((await raw.json()) as Wire).errorCode, 'invalid_body');
      const read = await api<Wire>(server, 'GET', `/sessions/${t.sessionId}`, { token });
      assert.deepEqual(read.body.session_metadata, { device: 'phone 📱' });
    });
  });
}
