import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API, secretOf } from '../helpers/fixtures.js';
import { api, freshUser, issueToken, managementToken } from '../helpers/management.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';

// Issue 11 §3.8: a JSON body whose object repeats a key is refused (400), as a repeated form parameter is,
// instead of being read last-wins. Each request below was answered 200 (the last value used) before.
type Wire = Record<string, unknown>;

for (const kind of STORES) {
  describe(`duplicate keys in JSON bodies are refused (${kind})`, () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startServer(kind);
      token = await managementToken(server);
    });
    after(() => server.close());

    const m2m = (rest: string) => `{"grant_type":"client_credentials","client_id":"m2m","client_secret":"${secretOf('m2m')}","audience":"${API}",${rest}}`;

    test('the same JSON body without the repeat is accepted (the baseline)', async () => {
      const r = await post(server, '/oauth/token', m2m('"scope":"read:data"'), { json: true });
      assert.equal(r.status, 200, r.text);
    });

    for (const [name, body] of [
      ['a repeated parameter', m2m('"scope":"read:data","scope":"read:data write:data"')],
      ['a repeat spelled with an escape', m2m('"scope":"read:data","sc\\u006fpe":"read:data write:data"')],
      ['a repeated client_id', m2m('"scope":"read:data","client_id":"m2m"')],
    ] as const) {
      test(`/oauth/token: ${name} is invalid_request in RFC 6749 JSON`, async () => {
        const r = await post<Wire>(server, '/oauth/token', body, { json: true });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.body.error, 'invalid_request');
        assert.match(String(r.body.error_description), /must not be repeated/);
        assert.equal(r.headers.get('cache-control'), 'no-store');
      });
    }

    test('/oauth/revoke refuses a repeated parameter too', async () => {
      const body = `{"client_id":"backend","client_secret":"${secretOf('backend')}","token":"a","token":"b"}`;
      const r = await post<Wire>(server, '/oauth/revoke', body, { json: true });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error, 'invalid_request');
    });

    test('a repeated key inside access_token_claims or refresh_token_metadata (JSON in a parameter) is refused', async () => {
      const claims = await exchange(server, { userId: freshUser(), claims: '{"role":"user","role":"admin"}' });
      assert.equal(claims.status, 400, claims.text);
      assert.equal(claims.body.error, 'invalid_request');
      assert.match(claims.body.error_description ?? '', /access_token_claims.*"role"/);
      const metadata = await exchange(server, { userId: freshUser(), metadata: '{"a":"1","a":"2"}', json: true });
      assert.equal(metadata.status, 400, metadata.text);
      assert.equal(metadata.body.error, 'invalid_request');
    });

    test('Management API: a repeated top-level or nested key is 400 invalid_body in Auth0\'s envelope, and nothing is written', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const ok = await api<Wire>(server, 'PATCH', `/refresh-tokens/${t.id}`, { token, body: { refresh_token_metadata: { a: 'kept' } } });
      assert.equal(ok.status, 200, ok.text);
      for (const body of [
        '{"refresh_token_metadata":{"a":"b"},"refresh_token_metadata":{"c":"d"}}',
        '{"refresh_token_metadata":{"a":"1","a":"2"}}',
        '{"refresh_token_metadata":{"a":"1","\\u0061":"2"}}',
      ]) {
        const r = await api<Wire>(server, 'PATCH', `/refresh-tokens/${t.id}`, { token, body });
        assert.equal(r.status, 400, `${body}: ${r.text}`);
        assert.equal(r.body.errorCode, 'invalid_body');
        assert.equal(r.body.error, 'Bad Request');
        assert.match(String(r.body.message), /appears more than once/);
      }
      const read = await api<Wire>(server, 'GET', `/refresh-tokens/${t.id}`, { token });
      assert.deepEqual(read.body.refresh_token_metadata, { a: 'kept' });

      const session = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: '{"session_metadata":{"x":"1"},"session_metadata":null}' });
      assert.equal(session.status, 400, session.text);
      assert.equal(session.body.errorCode, 'invalid_body');
    });

    test('the same key in different objects is fine, and prototype poisoning is still refused', async () => {
      const t = await issueToken(server, { userId: freshUser() });
      const fine = await api<Wire>(server, 'PATCH', `/sessions/${t.sessionId}`, { token, body: '{"session_metadata":{"a":"1"},"x":{"a":"1"}}' });
      assert.notEqual(fine.status, 500, fine.text);
      assert.notEqual(fine.body.errorCode === 'invalid_body' && /appears more than once/.test(String(fine.body.message)), true, fine.text);
      const poisoned = await api<Wire>(server, 'POST', `/users/${freshUser()}/revoke-access`, { token, body: '{"__proto__":{"preserve_refresh_tokens":true}}' });
      assert.equal(poisoned.status, 400, poisoned.text);
      assert.equal(poisoned.body.errorCode, 'invalid_body');
      const oauthPoisoned = await post<Wire>(server, '/oauth/token', m2m('"scope":"read:data","__proto__":{"x":1}'), { json: true });
      assert.equal(oauthPoisoned.status, 400, oauthPoisoned.text);
      assert.equal(oauthPoisoned.body.error, 'invalid_request');
    });
  });
}
