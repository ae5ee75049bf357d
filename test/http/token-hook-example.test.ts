import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fillTokenHookDoc } from '../../src/hooks/token-hook-doc.js';
import { newWebhookSecret } from '../../src/events/standard-webhooks.js';
import { API } from '../helpers/fixtures.js';
import { hookSettings } from '../helpers/hook-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { api, managementToken } from '../helpers/management.js';
import { exchange, familyIdOf, refresh, verifyAccessToken } from '../helpers/tokens.js';

// Compiled to dist/test/http/: the repository root is three levels up.
const ROOT = new URL('../../../', import.meta.url);
const EXAMPLE = new URL('docs/examples/token-hook-express.mjs', ROOT);
const PAGE = new URL('docs/token-hook.md', ROOT);

test('docs/token-hook.md shows the current JSON Schemas and the example file verbatim (node scripts/sync-token-hook-doc.mjs)', () => {
  const page = readFileSync(PAGE, 'utf8');
  assert.equal(page, fillTokenHookDoc(page, readFileSync(EXAMPLE, 'utf8')));
});

for (const kind of STORES) {
  describe(`the documented Express hook, run against refreshd (${kind})`, () => {
    const secret = newWebhookSecret();
    let hookServer: Server;
    let server: TestServer;
    let url: string;
    before(async () => {
      const { createTokenHook } = (await import(EXAMPLE.href)) as { createTokenHook: (secret: string) => import('express').Express };
      hookServer = await new Promise((resolve) => {
        const s = createTokenHook(secret).listen(0, '127.0.0.1', () => resolve(s));
      });
      url = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/refreshd/token-hook`;
      server = await startServer(kind, { tokenHook: hookSettings({ url, secret }) });
    });
    after(async () => {
      await server.close();
      hookServer.closeAllConnections();
      await new Promise((r) => hookServer.close(r));
    });

    test('roles reach the first token and every refreshed one; a suspended user is denied; stolen devices are revoked', async () => {
      const issued = await exchange(server, { userId: 'auth0|alice' });
      assert.equal(issued.status, 200, issued.text);
      const first = await verifyAccessToken(server, issued.body.access_token, API);
      assert.deepEqual(first['https://example.com/roles'], ['admin', 'billing']);
      assert.equal(first['https://example.com/checked_by'], 'token-hook');
      const next = await refresh(server, issued.body.refresh_token!);
      assert.equal(next.status, 200, next.text);
      const later = await verifyAccessToken(server, next.body.access_token, API);
      assert.deepEqual(later['https://example.com/roles'], ['admin', 'billing']);
      assert.equal(later['https://example.com/checked_by'], undefined, 'the hook answered 204: the family\'s claims only');

      const mallory = await exchange(server, { userId: 'auth0|mallory' });
      assert.deepEqual(mallory.body, { error: 'access_denied', error_description: 'This account is suspended.' });

      // An admin flags Bob's phone as stolen through the Management API; its next refresh kills the family.
      const bob = await exchange(server, { userId: 'auth0|bob' });
      assert.equal(bob.status, 200, bob.text);
      const id = familyIdOf(bob.body.refresh_token!);
      const patched = await api(server, 'PATCH', `/refresh-tokens/${id}`, { token: await managementToken(server), body: { refresh_token_metadata: { reported_stolen: 'true' } } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal((await refresh(server, bob.body.refresh_token!)).body.error, 'invalid_grant');
      assert.notEqual((await server.store.findFamily(id))?.revokedAt, null);
    });

    test('the example refuses a request whose signature does not verify (another secret)', async () => {
      const forged = await startServer(kind, { tokenHook: hookSettings({ url, secret: newWebhookSecret() }) });
      try {
        const r = await exchange(forged, { userId: 'auth0|alice' });
        assert.equal(r.status, 503, 'a 401 from the hook is a failure, and on_failure deny refuses');
      } finally {
        await forged.close();
      }
    });
  });
}
