import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api } from '../../helpers/management.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { STORES } from '../../helpers/stores.js';
import { SEED_UPDATE_REFRESH_TOKEN_PROPERTIES } from '../../compat/seeds.js';

type Json = Record<string, any>;

/** The issue's table (plus issue 6's logs): every operation and the scopes it requires. */
const EXPECTED: Record<string, Record<string, string[]>> = {
  '/refresh-tokens/{id}': { get: ['read:refresh_tokens'], patch: ['update:refresh_tokens'], delete: ['delete:refresh_tokens'] },
  '/refresh-tokens': { get: ['read:refresh_tokens'] },
  '/refresh-tokens/revoke': { post: ['delete:refresh_tokens'] },
  '/users/{user_id}/refresh-tokens': { get: ['read:refresh_tokens'], delete: ['delete:refresh_tokens'] },
  '/sessions/{id}': { get: ['read:sessions'], patch: ['update:sessions'], delete: ['delete:sessions'] },
  '/sessions/{id}/revoke': { post: ['delete:sessions', 'delete:refresh_tokens'] },
  '/users/{user_id}/sessions': { get: ['read:sessions'], delete: ['delete:sessions'] },
  '/users/{user_id}/revoke-access': { post: ['delete:sessions', 'delete:refresh_tokens'] },
  '/logs': { get: ['read:logs'] },
  '/logs/{id}': { get: ['read:logs'] },
  '/clients': { get: ['read:clients', 'read:client_keys'], post: ['create:clients'] },
  '/clients/{id}': { get: ['read:clients', 'read:client_keys'], patch: ['update:clients', 'update:client_keys'], delete: ['delete:clients'] },
  '/clients/{id}/rotate-secret': { post: ['update:client_keys'] },
  '/resource-servers': { get: ['read:resource_servers'], post: ['create:resource_servers'] },
  '/resource-servers/{id}': { get: ['read:resource_servers'], patch: ['update:resource_servers'], delete: ['delete:resource_servers'] },
  '/client-grants': { get: ['read:client_grants'], post: ['create:client_grants'] },
  '/client-grants/{id}': { get: ['read:client_grants'], patch: ['update:client_grants'], delete: ['delete:client_grants'] },
};

for (const kind of STORES) {
  describe(`Management API OpenAPI document (${kind})`, () => {
    let server: TestServer;
    let doc: Json;
    before(async () => {
      server = await startServer(kind);
      const r = await api<Json>(server, 'GET', '/openapi.json');
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      doc = r.body;
    });
    after(() => server.close());

    test('is OpenAPI 3.1, served without a token, for this server', () => {
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(doc.servers[0].url, `${server.issuer}api/v2`);
      assert.equal(doc.components.securitySchemes.oAuth2ClientCredentials.flows.clientCredentials.tokenUrl, `${server.issuer}oauth/token`);
    });

    test('lists exactly the routes of the issue, each with the scopes it requires', () => {
      const actual = Object.fromEntries(
        Object.entries(doc.paths as Json).map(([path, ops]) => [
          path,
          Object.fromEntries(Object.entries(ops as Json).map(([method, op]) => [method, (op as Json).security[1].oAuth2ClientCredentials])),
        ]),
      );
      assert.deepEqual(actual, EXPECTED);
    });

    test('every operation documents its parameters, body and every status with a schema', () => {
      for (const [path, ops] of Object.entries(doc.paths as Json)) {
        for (const [method, op] of Object.entries(ops as Json)) {
          const label = `${method} ${path}`;
          assert.equal(typeof op.operationId, 'string', label);
          assert.equal(typeof op.summary, 'string', label);
          for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
            const p = op.parameters.find((x: Json) => x.name === name);
            assert.equal(p?.in, 'path', `${label}: path parameter ${name}`);
            assert.equal(p?.required, true);
            assert.equal(p?.schema?.type, 'string');
          }
          // Auth0's success codes: 200 to read or update, 201 to create, 202 to revoke, 204 (no body) to delete a client.
          const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
          assert.equal(success.length, 1, `${label}: one success status`);
          assert.ok(['200', '201', '202', '204'].includes(success[0]!), label);
          for (const status of [...success, '401', '403', '500', '503']) {
            const response = op.responses[status];
            if (status === '204') {
              assert.equal(typeof response?.description, 'string', `${label} ${status}`);
              continue;
            }
            assert.equal(typeof response?.description, 'string', `${label} ${status}`);
            const schema = response.content['application/json'].schema;
            // GET /logs answers a bare array or, with include_totals, an object (as on Auth0).
            const types = schema.anyOf ? schema.anyOf.map((s: Json) => s.type) : [schema.type];
            assert.ok(types.includes('object'), `${label} ${status}`);
          }
          for (const status of ['401', '403']) {
            assert.deepEqual(op.responses[status].content['application/json'].schema.required, ['statusCode', 'error', 'message', 'errorCode']);
          }
          if (method === 'patch' || method === 'post') {
            if (path.endsWith('/revoke-access')) assert.equal(op.requestBody.required, false, 'every revoke-access field is optional');
            else if (op.requestBody) assert.equal(op.requestBody.required, true, label);
            if ((path.endsWith('/revoke') && path.startsWith('/sessions')) || path.endsWith('/rotate-secret')) assert.equal(op.requestBody, undefined, label);
            else assert.equal(op.requestBody.content['application/json'].schema.type, 'object', label);
          }
          assert.doesNotMatch(JSON.stringify(op), /"\[object|undefined/, label);
        }
      }
    });

    test('the refresh-token schema has exactly the seed’s properties (then the optional refreshd extensions), and PATCH takes only refresh_token_metadata', () => {
      const get = doc.paths['/refresh-tokens/{id}'].get.responses['200'].content['application/json'].schema;
      const withExtension = [...SEED_UPDATE_REFRESH_TOKEN_PROPERTIES, 'access_token_claims', 'dpop_jkt'];
      assert.deepEqual(Object.keys(get.properties), withExtension);
      for (const extension of ['access_token_claims', 'dpop_jkt']) {
        assert.equal(get.required?.includes(extension) ?? false, false, extension);
        assert.match(get.properties[extension].description, /^refreshd extension \(Auth0 has no such field\)/, extension);
      }
      assert.deepEqual(Object.keys(doc.paths['/refresh-tokens/{id}'].patch.responses['200'].content['application/json'].schema.properties), withExtension);
      assert.deepEqual(get.properties.resource_servers.items.properties.scopes, { description: 'List of scopes for the refresh token, space separated', type: 'string' });
      const body = doc.paths['/refresh-tokens/{id}'].patch.requestBody.content['application/json'].schema;
      assert.equal(body.additionalProperties, false);
      assert.deepEqual(body.required, ['refresh_token_metadata']);
      const metadata = body.properties.refresh_token_metadata.anyOf[0];
      assert.equal(metadata.maxProperties, 25);
      assert.deepEqual(Object.values(metadata.patternProperties), [{ maxLength: 255, type: 'string' }]);
    });

    test('list endpoints document their query parameters with limits', () => {
      const params = doc.paths['/refresh-tokens'].get.parameters as Json[];
      const byName = Object.fromEntries(params.map((p) => [p.name, p]));
      assert.deepEqual(Object.keys(byName), ['user_id', 'client_id', 'from', 'take', 'fields', 'include_fields']);
      assert.equal(byName.user_id.required, true);
      assert.equal(byName.client_id.required, false);
      assert.deepEqual([byName.take.schema.minimum, byName.take.schema.maximum, byName.take.schema.default], [1, 100, 50]);
      const userParams = (doc.paths['/users/{user_id}/sessions'].get.parameters as Json[]).map((p) => `${p.in}:${p.name}`);
      assert.deepEqual(userParams, ['path:user_id', 'query:include_totals', 'query:from', 'query:take']);
    });
  });
}
