import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOKEN_EXCHANGE_GRANT } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange } from '../helpers/tokens.js';

const raw = async (server: TestServer, body: string | undefined, contentType: string | undefined) => {
  const res = await fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as { error: string; error_description: string }, headers: res.headers };
};

for (const kind of STORES) {
  describe(`malformed requests get RFC 6749 errors, never a 500 (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    const form = 'application/x-www-form-urlencoded';
    const json = 'application/json';
    const cases: [string, string | undefined, string | undefined, number][] = [
      ['no body at all', undefined, undefined, 400],
      ['empty form', '', form, 400],
      ['empty JSON', '', json, 400],
      ['JSON that does not parse', '{"grant_type":', json, 400],
      ['a JSON array', '["refresh_token"]', json, 400],
      ['a nested JSON value', '{"grant_type":{"a":1}}', json, 400],
      ['a JSON number', '{"grant_type":"refresh_token","refresh_token":5}', json, 400],
      ['a JSON __proto__ key', '{"grant_type":"refresh_token","__proto__":{"x":1}}', json, 400],
      ['a JSON constructor.prototype key', '{"grant_type":"refresh_token","constructor":{"prototype":{"x":1}}}', json, 400],
      ['a repeated form parameter', 'grant_type=refresh_token&grant_type=client_credentials', form, 400],
      ['an unsupported content type', 'grant_type=refresh_token', 'text/plain', 400],
      ['XML', '<grant_type/>', 'application/xml', 400],
      ['a missing grant_type', 'client_id=backend', form, 400],
      ['an unknown grant_type', 'grant_type=password&client_id=backend', form, 400],
      ['a huge body', `grant_type=refresh_token&refresh_token=${'a'.repeat(70_000)}`, form, 413],
      ['invalid UTF-8 percent-escapes', 'grant_type=%FF%FE&client_id=%C0', form, 400],
      ['SQL metacharacters', "grant_type=refresh_token&client_id=backend'--&client_secret=x' OR 1=1;--&refresh_token=rfd_rt_'", form, 401],
    ];
    for (const [name, body, type, status] of cases) {
      test(`${name} → ${status}`, async () => {
        const r = await raw(server, body, type);
        assert.equal(r.status, status, r.text);
        assert.equal(typeof r.body.error, 'string');
        assert.equal(typeof r.body.error_description, 'string');
        assert.deepEqual(Object.keys(r.body).sort(), ['error', 'error_description']);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        if (status === 400 || status === 413) assert.match(r.body.error, /^(invalid_request|unsupported_grant_type)$/);
      });
    }

    test('token exchange checks its own parameters', async () => {
      const base = {
        grant_type: TOKEN_EXCHANGE_GRANT,
        client_id: 'backend',
        client_secret: secretOf('backend'),
        subject_token: 'auth0|x',
        subject_token_type: 'urn:refreshd:params:oauth:token-type:user-id',
        audience: API,
        scope: 'offline_access',
      };
      const variants: [Record<string, string>, number, string][] = [
        [{ ...base, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }, 400, 'invalid_request'],
        [{ ...base, subject_token: '' }, 400, 'invalid_request'],
        [{ ...base, subject_token: 'a\u0000b' }, 400, 'invalid_request'],
        [{ ...base, subject_token: 'x'.repeat(301) }, 400, 'invalid_request'],
        [{ ...base, audience: '' }, 400, 'invalid_request'],
        [{ ...base, requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 400, 'invalid_request'],
      ];
      for (const [params, status, error] of variants) {
        const r = await post(server, '/oauth/token', params);
        assert.deepEqual([r.status, r.body.error], [status, error], JSON.stringify(params));
      }
      const ok = await exchange(server, { userId: 'auth0|x' });
      assert.equal(ok.status, 200);
    });

    test('GET on the token endpoint is not a route', async () => {
      const r = await fetch(`${server.baseUrl}/oauth/token`);
      assert.equal(r.status, 404);
    });

    test('the server still works after all of the above', async () => {
      assert.equal((await exchange(server)).status, 200);
      assert.equal((await fetch(`${server.baseUrl}/health/ready`)).status, 200);
    });
  });
}
