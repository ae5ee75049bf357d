import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OAuthError } from '../../src/core/errors.js';
import { API } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { exchange, issueRefreshToken } from '../helpers/tokens.js';

const LONG = 'x'.repeat(8000);
const TOO_LONG = { error: 'invalid_request', error_description: 'client_id is too long (at most 64 characters).' };

// Issue 11 §3.12: a client_id of any length (up to the body limit, or 16 KiB in a Basic header) was looked up in the
// database and cached. Now every place that accepts a client id refuses one longer than any client can have
// (64 characters, as the configuration file allows) before looking anything up.
for (const kind of STORES) {
  describe(`client ids are bounded before any lookup (${kind})`, () => {
    let server: TestServer;
    const lookups: string[] = [];
    before(async () => {
      server = await startServer(kind);
      server.store.observeQueries((operation) => lookups.push(operation));
    });
    after(() => server.close());

    const clientLookups = async (run: () => Promise<unknown>) => {
      server.refreshd.directory.invalidate();
      lookups.length = 0;
      await run();
      return lookups.filter((op) => op === 'findClient' || op === 'findClientGrant').length;
    };

    test('token and revocation endpoints: 400 invalid_request, in the body or in Basic, with no lookup', async () => {
      const t0 = await issueRefreshToken(server);
      const basic = `Basic ${Buffer.from(`${LONG}:secret`).toString('base64')}`;
      const requests: [string, Record<string, string>, Record<string, string>][] = [
        ['/oauth/token', { grant_type: 'refresh_token', client_id: LONG, refresh_token: t0 }, {}],
        ['/oauth/token', { grant_type: 'client_credentials', client_id: LONG, client_secret: 'x'.repeat(40), audience: API }, {}],
        ['/oauth/token', { grant_type: 'refresh_token', refresh_token: t0 }, { authorization: basic }],
        ['/oauth/revoke', { client_id: LONG, token: t0 }, {}],
        ['/oauth/revoke', { token: t0 }, { authorization: basic }],
        // CORS looks the claimed client up for its web origins: not for an impossible id.
        ['/oauth/token', { grant_type: 'refresh_token', client_id: 'x'.repeat(65), refresh_token: t0 }, { origin: 'https://app.example.com' }],
      ];
      for (const [path, params, headers] of requests) {
        let r: Awaited<ReturnType<typeof post>> | undefined;
        const n = await clientLookups(async () => (r = await post(server, path, params, { headers })));
        assert.deepEqual([r!.status, r!.body], [400, TOO_LONG], `${path} ${JSON.stringify(Object.keys(params))} ${JSON.stringify(Object.keys(headers))}`);
        assert.equal(n, 0, 'no client lookup');
      }
      // 64 characters is a possible id: looked up (unknown here), 401 as usual.
      let r: Awaited<ReturnType<typeof post>> | undefined;
      const n = await clientLookups(async () => (r = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'y'.repeat(64), refresh_token: t0 })));
      assert.equal(r!.status, 401);
      assert.equal(n, 1);
    });

    test('token exchange: an over-long target_client_id is a 400 naming it, with no lookup', async () => {
      const n = await clientLookups(async () => {
        const r = await exchange(server, { targetClientId: LONG });
        assert.deepEqual([r.status, r.body], [400, { error: 'invalid_request', error_description: 'target_client_id is too long (at most 64 characters).' }]);
      });
      assert.equal(n, 1, 'only the authenticating client was looked up');
    });

    test('the library refuses it as an unknown client, without a lookup', async () => {
      const n = await clientLookups(() =>
        assert.rejects(server.refreshd.refresh({ clientId: LONG, refreshToken: 'rfd_rt_x' }), (e: Error) => e instanceof OAuthError && e.error === 'invalid_client'),
      );
      assert.equal(n, 0);
      assert.equal((await exchange(server, { clientId: 'backend' })).status, 200, 'the server still serves');
    });
  });
}
