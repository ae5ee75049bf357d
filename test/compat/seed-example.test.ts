import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementClient } from 'auth0';
import { domainOf, freshUser, httpFetch, issueToken, managementToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { SEED_GET_REFRESH_TOKEN_RESPONSE, seedShapeProblems } from './seeds.js';

for (const kind of STORES) {
  describe(`the seed's own TypeScript example (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { realIssuer: true });
    });
    after(() => server.close());

    test('new ManagementClient({ token }).refreshTokens.get(id) answers with the seed’s response shape', async () => {
      const issued = await issueToken(server, { userId: freshUser('seed') });
      // The example's placeholders "<token>" and "id", filled in.
      const token = await managementToken(server);
      const id = issued.id;
      // Transport: plain HTTP, and a copy of every answer so the test can look at what the example discards.
      const answers: { status: number; body: unknown }[] = [];
      const transport: typeof fetch = async (input, init) => {
        const res = await httpFetch(input, init);
        answers.push({ status: res.status, body: await res.clone().json() });
        return res;
      };

      // ——— ../shared/seeds/get-refresh-token.txt, verbatim but for `domain` and `fetch` ———
      async function main() {
          const client = new ManagementClient({
              token: token,
              domain: domainOf(server), fetch: transport, // changed: domain and transport
          });
          await client.refreshTokens.get(id);
      }
      await main(); // the seed calls main() and drops the promise; awaiting it lets a failure fail the test
      // ——— end of the seed's example ———

      assert.equal(answers.length, 1);
      assert.equal(answers[0]?.status, 200);
      const body = answers[0]?.body as Record<string, unknown>;
      assert.deepEqual(seedShapeProblems(body), []);
      assert.deepEqual(Object.keys(body), Object.keys(SEED_GET_REFRESH_TOKEN_RESPONSE), 'same fields, in the seed’s order');
      // The shape check itself bites: a missing, extra or mistyped field is reported.
      const { device: _device, ...withoutDevice } = body;
      assert.deepEqual(seedShapeProblems(withoutDevice), ['device: missing']);
      assert.deepEqual(seedShapeProblems({ ...body, extra: 1 }), ['extra: not in the seed']);
      assert.deepEqual(seedShapeProblems({ ...body, rotating: 'yes' }), ['rotating: string where the seed has boolean']);
      assert.deepEqual(seedShapeProblems({ ...body, resource_servers: [{ audience: 'a', scopes: ['x'] }] }), ['resource_servers[0].scopes: array where the seed has string']);
      assert.equal(body.id, id);
      assert.equal(body.session_id, issued.sessionId);
    });
  });
}
