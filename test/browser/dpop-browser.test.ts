import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { tokenEndpointOf } from '../helpers/dpop.js';
import { post, startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf } from '../helpers/tokens.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, secretOf } from '../helpers/fixtures.js';

/** panva's `dpop` as the browser loads it: one ES module, WebCrypto only. */
const DPOP_MODULE = readFileSync(createRequire(import.meta.url).resolve('dpop'), 'utf8');
const PAGE = '<!doctype html><title>app</title><script type="module">import * as dpop from "/dpop.js"; window.dpop = dpop;</script>';

/** The browser app's own origin: a page and the `dpop` module, nothing else. */
async function startApp(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/dpop.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(DPOP_MODULE);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

// A single-page app in real Chromium: a non-extractable WebCrypto key made by `dpop`, its refresh token bound to
// that key through the backend's dpop_jkt, refreshed cross-origin (CORS) through a nonce challenge.
describe('DPoP from a browser (Chromium, WebCrypto)', () => {
  let browser: Browser;
  let page: Page;
  let app: { server: Server; origin: string };
  before(async () => {
    app = await startApp();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await page.goto(app.origin);
    await page.waitForFunction('window.dpop !== undefined');
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((ok) => app.server.close(() => ok()));
  });

  for (const kind of STORES) {
    describe(kind, () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(kind);
        // The fixture's public client spa-static, with the app's origin (a listed target of backend).
        const spa = await server.store.findClient('spa');
        await server.store.upsertClient({ ...spa!, clientId: 'spa-static', webOrigins: [app.origin] });
      });
      after(() => server.close());

      test('a non-extractable key binds the token, and the app refreshes cross-origin through a nonce challenge', async () => {
        const key = (await page.evaluate(async () => {
          const w = globalThis as unknown as { dpop: typeof import('dpop'); key: unknown };
          const k = await w.dpop.generateKeyPair('ES256');
          w.key = k;
          return { jkt: await w.dpop.calculateThumbprint(k.publicKey), extractable: k.privateKey.extractable };
        })) as { jkt: string; extractable: boolean };
        assert.equal(key.extractable, false, 'the private key cannot leave the browser');

        // The backend logs the user in for the app, naming the app's key.
        const issued = await post<{ refresh_token: string }>(server, '/oauth/token', {
          grant_type: TOKEN_EXCHANGE_GRANT,
          client_id: 'backend',
          client_secret: secretOf('backend'),
          subject_token: 'auth0|browser',
          subject_token_type: USER_ID_TOKEN_TYPE,
          audience: API,
          scope: 'openid offline_access read:data',
          target_client_id: 'spa-static',
          dpop_jkt: key.jkt,
        });
        assert.equal(issued.status, 200, issued.text);
        const t0 = issued.body.refresh_token;

        const outcome = (await page.evaluate(
          async ({ url, htu, token }) => {
            const w = globalThis as unknown as { dpop: typeof import('dpop'); key: Parameters<typeof import('dpop').generateProof>[0] };
            const send = async (nonce?: string) =>
              fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await w.dpop.generateProof(w.key, htu, 'POST', nonce) },
                body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'spa-static', refresh_token: token }),
              });
            const first = await send();
            const firstBody = (await first.json()) as { error?: string };
            const nonce = first.headers.get('dpop-nonce');
            const second = await send(nonce ?? undefined);
            const body = (await second.json()) as { token_type?: string; refresh_token?: string };
            return { firstError: firstBody.error, nonceReadable: nonce !== null, status: second.status, tokenType: body.token_type, next: body.refresh_token, nextNonce: second.headers.get('dpop-nonce') !== null };
          },
          { url: `${server.baseUrl}/oauth/token`, htu: tokenEndpointOf(server), token: t0 },
        )) as { firstError?: string; nonceReadable: boolean; status: number; tokenType?: string; next?: string; nextNonce: boolean };

        assert.equal(outcome.firstError, 'use_dpop_nonce');
        assert.equal(outcome.nonceReadable, true, 'CORS exposes DPoP-Nonce');
        assert.equal(outcome.status, 200);
        assert.equal(outcome.tokenType, 'DPoP');
        assert.equal(outcome.nextNonce, true);
        const family = await server.store.findFamily(familyIdOf(outcome.next!));
        assert.deepEqual([family?.generation, family?.dpopJkt], [1, key.jkt]);
        // The same token from outside the browser (no key) gets nothing.
        const stolen = await post(server, '/oauth/token', { grant_type: 'refresh_token', client_id: 'spa-static', refresh_token: outcome.next! });
        assert.equal(stolen.body.error, 'invalid_dpop_proof');
      });
    });
  }
});
