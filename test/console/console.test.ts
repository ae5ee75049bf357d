import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { launchChromium, PageWatch, seriousAccessibilityViolations } from '../helpers/browser.js';
import { MGMT_CLIENT, secretOf } from '../helpers/fixtures.js';
import { api, issueToken, managementToken, type IssuedToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { INVALID_GRANT, refresh } from '../helpers/tokens.js';

/**
 * The admin console in a real browser (Debian's chromium through playwright-core), against a real server on each
 * store, as support staff would use it: one browser per store, one scenario, each step building on the last.
 * REFRESHD_SCREENSHOTS=docs also writes the README's screenshots (SQLite run only).
 */

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  pixel: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.101 Mobile Safari/537.36',
};
const READ_ONLY_CLIENT = 'console-readonly';
const REVOKER_CLIENT = 'console-revoker';
const MINUTE = 60_000;
const screenshots = process.env.REFRESHD_SCREENSHOTS;

const absolute = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' });
/** Whitespace as the eye sees it (ICU puts a narrow no-break space before AM/PM). */
const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

for (const kind of STORES) {
  describe(`admin console in Chromium (${kind})`, () => {
    let server: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let watch: PageWatch;
    let origin: string;
    let now: number;
    let mgmt: string;
    const alice = `auth0|alice-${kind}`;
    const bob = `auth0|bob-${kind}`;
    let phone: IssuedToken; // backend (rotating), on the iPhone, rotated once
    let phoneToken: string; // phone's current refresh token
    let phoneStatic: IssuedToken; // backend-static (non-rotating), same session
    let laptop: IssuedToken;
    let laptopToken: string; // laptop's current refresh token
    let bobToken: IssuedToken; // never expires

    /** A README screenshot: of the whole page, of what the viewport shows, or of one region. */
    const shot = async (name: string, target: Page | Locator = page, fullPage = true) => {
      if (!screenshots || kind !== 'sqlite') return;
      mkdirSync(screenshots, { recursive: true });
      const path = `${screenshots}/${name}.png`;
      await ('goto' in target ? target.screenshot({ path, fullPage }) : target.screenshot({ path }));
    };
    const card = (id: string) => page.locator(`[data-token-id="${id}"]`);
    const fact = (scope: Locator, label: string) =>
      scope.locator(':scope > dl > .fact', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
    /** Focus moves by itself where the user will type next (a field named by its label). */
    const focusOn = (label: string) =>
      page.waitForFunction(
        `((el, name) => el && (el.getAttribute('aria-label') === name || (el.id !== '' && document.querySelector('label[for="' + el.id + '"]')?.textContent === name)))(document.activeElement, ${JSON.stringify(label)})`,
        undefined,
        { timeout: 2_000 },
      );
    const refused = async (token: string, clientId: string) => {
      const r = await refresh(server, token, { clientId });
      assert.deepEqual([r.status, r.body], [403, INVALID_GRANT]);
    };

    before(async () => {
      // The server's clock starts 40 minutes before `now`, the moment the browser's clock is then frozen at (timers
      // keep running), so the relative times the console shows do not depend on how long the steps take.
      now = Date.now();
      const clock = new ManualClock(now - 40 * MINUTE);
      server = await startServer(kind, { clock, recordEvents: true, app: { console: true } });
      origin = server.baseUrl;
      await server.refreshd.applyConfig(
        normalizeConfig(
          {
            clients: [READ_ONLY_CLIENT, REVOKER_CLIENT].map((id) => ({ client_id: id, client_secret: secretOf(id), grant_types: ['client_credentials'] })),
            client_grants: [
              { client_id: READ_ONLY_CLIENT, audience: server.refreshd.managementAudience, scope: ['read:refresh_tokens', 'read:sessions'] },
              // Can revoke refresh tokens, nothing else: no session control (ending one revokes its tokens too, and
              // needs delete:sessions as well), no metadata edits.
              { client_id: REVOKER_CLIENT, audience: server.refreshd.managementAudience, scope: ['read:refresh_tokens', 'read:sessions', 'read:logs', 'delete:refresh_tokens'] },
            ],
          },
          server.refreshd.managementAudience,
        ),
      );

      // Alice: her iPhone (one session, two apps), then 25 minutes later her laptop, where a stolen token is replayed.
      const at = (ip: string, ua: string) => ({ 'user-agent': ua, 'auth0-forwarded-for': ip });
      phone = await issueToken(server, { userId: alice, headers: at('203.0.113.7', UA.iphone) });
      clock.advance(25 * MINUTE);
      const rotated = await refresh(server, phone.refreshToken, { headers: at('198.51.100.23', UA.iphone) });
      assert.equal(rotated.status, 200, rotated.text);
      phoneToken = rotated.body.refresh_token!;
      phoneStatic = await issueToken(server, { userId: alice, clientId: 'backend-static', sessionId: phone.sessionId, headers: { 'user-agent': UA.iphone } });
      laptop = await issueToken(server, { userId: alice, headers: at('192.0.2.44', UA.windows) });
      const laptopRefresh = await refresh(server, laptop.refreshToken, { headers: at('192.0.2.44', UA.windows) });
      assert.equal(laptopRefresh.status, 200, laptopRefresh.text);
      laptopToken = laptopRefresh.body.refresh_token!;
      const stolen = await issueToken(server, { userId: alice, sessionId: laptop.sessionId, headers: at('192.0.2.44', UA.windows) });
      assert.equal((await refresh(server, stolen.refreshToken)).status, 200);
      assert.equal((await refresh(server, stolen.refreshToken, { headers: at('233.252.0.9', UA.pixel) })).status, 403); // reuse: ferrt
      // Bob: a token that never expires, for the step where the console's own token does.
      bobToken = await issueToken(server, { userId: bob, clientId: 'backend-forever', headers: { 'user-agent': UA.pixel } });
      clock.set(now);
      await server.recorder!.flush();
      mgmt = await managementToken(server);

      browser = await launchChromium();
      context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      await page.clock.setFixedTime(now);
      page.setDefaultTimeout(10_000);
      watch = new PageWatch(page, origin, [400, 401, 403]);
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test('/admin serves the console with a strict CSP, and sign-in by client credentials keeps the token out of cookies and localStorage', async () => {
      const response = await page.goto(`${origin}/admin`);
      assert.equal(new URL(page.url()).pathname, '/admin/');
      const csp = response!.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      await page.getByRole('heading', { name: 'refreshd console' }).waitFor();
      assert.deepEqual(await seriousAccessibilityViolations(page), []);
      await shot('console-sign-in', page, false);

      // Keyboard only: the client ID field has focus; a wrong secret is refused with the reason.
      await page.keyboard.type(MGMT_CLIENT);
      await page.keyboard.press('Tab');
      // Focus is visible: the focused field has the console's 3px outline.
      assert.deepEqual(
        await page.evaluate('(({ outlineStyle, outlineWidth }) => ({ outlineStyle, outlineWidth }))(getComputedStyle(document.activeElement))'),
        { outlineStyle: 'solid', outlineWidth: '3px' },
      );
      assert.equal(await page.evaluate('document.activeElement.name'), 'client_secret');
      await page.keyboard.type('not-the-secret');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Unknown client ID or wrong secret.' }).waitFor();
      await page.getByLabel('Client secret').fill(secretOf(MGMT_CLIENT));
      await page.keyboard.press('Enter');
      await page.getByText('Signed in as').waitFor();

      const storage = (await page.evaluate('({ cookie: document.cookie, local: localStorage.length, session: Object.keys(sessionStorage) })')) as {
        cookie: string;
        local: number;
        session: string[];
      };
      assert.deepEqual(storage, { cookie: '', local: 0, session: ['refreshd-console:credentials'] });
      assert.deepEqual(await context.cookies(), []);
    });

    test('finds a user: sessions with their refresh tokens, the device in words, IPs and times', async () => {
      await page.getByLabel('User ID').fill(alice);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByText('2 sessions · 3 refresh tokens').waitFor();
      assert.equal(new URL(page.url()).hash, `#/users/${encodeURIComponent(alice)}`);

      const phoneSession = page.locator(`[data-session-id="${phone.sessionId}"]`);
      assert.equal(squash(await phoneSession.locator('h3').first().textContent()), 'SessionMobile Safari 17 on iOS 17.1 (Apple iPhone)');
      assert.equal(squash(await fact(phoneSession, 'Clients').textContent()), 'backendbackend-static');
      const laptopSession = page.locator(`[data-session-id="${laptop.sessionId}"]`);
      assert.equal(squash(await laptopSession.locator('h3').first().textContent()), 'SessionChrome 120 on Windows 10');

      const t = card(phone.id);
      const wire = (await api<Record<string, string>>(server, 'GET', `/refresh-tokens/${phone.id}`, { token: mgmt })).body;
      assert.equal(await fact(t, 'First IP').textContent(), '203.0.113.7');
      assert.equal(await fact(t, 'Last IP').textContent(), '198.51.100.23');
      assert.equal(await fact(t, 'ASN').textContent(), 'Not recorded');
      assert.equal(await fact(t, 'Client').textContent(), 'backend');
      assert.equal(squash(await fact(t, 'APIs and scopes').textContent()), 'https://api.example.com: openid offline_access read:data write:data');
      assert.equal(await fact(t, 'Rotating').textContent(), 'Yes');
      assert.equal(await fact(card(phoneStatic.id), 'Rotating').textContent(), 'No');
      // Relative and absolute, from the token's own timestamps (in the browser's locale and zone: en-US, UTC).
      assert.equal(squash(await fact(t, 'Created').textContent()), squash(`40 minutes ago${absolute.format(new Date(wire.created_at!))}`));
      assert.equal(squash(await fact(t, 'Last used').textContent()), squash(`15 minutes ago${absolute.format(new Date(wire.last_exchanged_at!))}`));
      assert.equal(squash(await fact(t, 'Idle expiry').textContent()), squash(`in 45 minutes${absolute.format(new Date(wire.idle_expires_at!))}`));
      assert.equal(squash(await fact(t, 'Absolute expiry').textContent()), squash(`in 23 hours${absolute.format(new Date(wire.expires_at!))}`));
      assert.equal(await t.locator('time').first().getAttribute('datetime'), wire.created_at);
      await shot('console-user');
    });

    test("edits token and session metadata; an invalid edit shows the API's own message inline and changes nothing", async () => {
      const t = card(phone.id);
      await t.getByRole('button', { name: `Edit token metadata of refresh token ${phone.id}` }).click();
      // The first key field takes focus: type, Tab to the value.
      await focusOn('Key 1');
      await page.keyboard.type('device_name');
      await page.keyboard.press('Tab');
      await page.keyboard.type("Alice's iPhone");
      await t.getByRole('button', { name: 'Save' }).click();
      await fact(t, 'Metadata').getByText("Alice's iPhone").waitFor();
      let stored = await api<{ refresh_token_metadata: unknown }>(server, 'GET', `/refresh-tokens/${phone.id}`, { token: mgmt });
      assert.deepEqual(stored.body.refresh_token_metadata, { device_name: "Alice's iPhone" });

      // What the API says about a key with a space, asked directly (the same request changes nothing):
      const direct = await api<{ message: string; errorCode: string }>(server, 'PATCH', `/refresh-tokens/${phone.id}`, {
        token: mgmt,
        body: { refresh_token_metadata: { device_name: "Alice's iPhone", 'lost phone': 'yes' } },
      });
      assert.equal(direct.status, 400);
      await t.getByRole('button', { name: /^Edit token metadata/ }).click();
      await t.getByRole('button', { name: 'Add key' }).click();
      await t.getByLabel('Key 2', { exact: true }).fill('lost phone');
      await t.getByLabel('Value 2', { exact: true }).fill('yes');
      await t.getByRole('button', { name: 'Save' }).click();
      const alert = t.getByRole('alert');
      await alert.waitFor();
      assert.equal(squash(await alert.textContent()), squash(`${direct.body.message}${direct.body.errorCode}`));
      stored = await api(server, 'GET', `/refresh-tokens/${phone.id}`, { token: mgmt });
      assert.deepEqual(stored.body.refresh_token_metadata, { device_name: "Alice's iPhone" });
      await t.getByRole('button', { name: 'Cancel' }).click();

      const s = page.locator(`[data-session-id="${phone.sessionId}"]`);
      await s.getByRole('button', { name: `Edit session metadata of session ${phone.sessionId}` }).click();
      await focusOn('Key 1');
      await page.keyboard.type('ticket');
      await page.keyboard.press('Tab');
      await page.keyboard.type('SUP-1042');
      await page.keyboard.press('Enter');
      await fact(s, 'Metadata').getByText('SUP-1042').waitFor();
      const session = await api<{ session_metadata: unknown }>(server, 'GET', `/sessions/${phone.sessionId}`, { token: mgmt });
      assert.deepEqual(session.body.session_metadata, { ticket: 'SUP-1042' });
    });

    test('revokes one refresh token behind a confirmation that names it; the view updates at once and /oauth/token refuses it', async () => {
      const revoke = card(phoneStatic.id).getByRole('button', { name: `Revoke refresh token ${phoneStatic.id}` });
      await revoke.click();
      const dialog = page.getByRole('dialog', { name: 'Revoke this refresh token?' });
      await dialog.waitFor();
      const text = squash(await dialog.textContent());
      assert.match(text, new RegExp(`Refresh token ${phoneStatic.id} of backend-static, on Mobile Safari 17 on iOS 17\\.1 \\(Apple iPhone\\)`));
      // The whole user view, with the dialog over it.
      assert.deepEqual(await seriousAccessibilityViolations(page), []);
      await shot('console-confirm', page, false);
      // Escape cancels and ends nothing.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await card(phoneStatic.id).count(), 1);

      await revoke.click();
      await dialog.getByRole('button', { name: 'Revoke refresh token' }).click();
      await card(phoneStatic.id).waitFor({ state: 'detached' });
      await page.getByText('2 sessions · 2 refresh tokens').waitFor();
      await refused(phoneStatic.refreshToken, 'backend-static');
    });

    test('security events of the user, in words, with time, IP and client, a page at a time', async () => {
      await server.recorder!.flush();
      const events = page.getByRole('region', { name: 'Security events' });
      await events.getByRole('button', { name: 'Reload events' }).click();
      const total = (
        await api<{ total: number }>(server, 'GET', `/logs?q=${encodeURIComponent(`user_id:"${alice}"`)}&include_totals=true&per_page=1`, { token: mgmt })
      ).body.total;
      assert.ok(total > 10, `${total} events: enough for two pages`);
      await events.getByText(`Events 1–10 of ${total}`).waitFor();
      // Newest first: the refused refresh that followed the revocation, and the revocation by the console's client.
      const [refusal, revocation] = [events.locator('tbody tr').nth(0), events.locator('tbody tr').nth(1)];
      assert.equal(await refusal.getAttribute('data-type'), 'fertft');
      assert.equal(await refusal.locator('.event-words').textContent(), 'Refresh token exchange failed');
      assert.equal(await refusal.locator('td[data-label="Client"]').textContent(), 'backend-static');
      assert.equal(await revocation.getAttribute('data-type'), 'sapi');
      assert.equal(await revocation.locator('.event-words').textContent(), 'Management API change');
      assert.equal(squash(await revocation.locator('.event-detail').textContent()), 'sapi Delete a refresh token');
      assert.equal(await revocation.locator('td[data-label="Client"]').textContent(), MGMT_CLIENT);

      const reuse = events.locator('tr[data-type="ferrt"]');
      assert.equal(await reuse.count(), 1);
      await shot('console-events', events);
      assert.equal(await reuse.locator('.event-words').textContent(), 'Reused refresh token: family revoked');
      assert.equal(await reuse.locator('td[data-label="IP"]').textContent(), '233.252.0.9');
      assert.equal(await reuse.locator('td[data-label="Client"]').textContent(), 'backend');

      // The oldest event, last on the last page: the iPhone's sign-in, 40 minutes ago.
      await events.getByRole('button', { name: 'Older' }).click();
      await events.getByText(`Events 11–${total} of ${total}`).waitFor();
      const oldest = events.locator('tbody tr').last();
      assert.equal(await oldest.locator('.event-words').textContent(), 'Signed in: tokens issued');
      assert.equal(await oldest.locator('td[data-label="IP"]').textContent(), '203.0.113.7');
      assert.equal(await oldest.locator('time').textContent(), '40 minutes ago');
      assert.equal(await events.getByRole('button', { name: 'Older' }).isDisabled(), true);
      await events.getByRole('button', { name: 'Newer' }).click();
      await events.getByText(`Events 1–10 of ${total}`).waitFor();
    });

    test('signs the user out everywhere: the confirmation counts what ends, the view empties, every token is refused', async () => {
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
      assert.match(squash(await dialog.textContent()), new RegExp(`Every session \\(2\\) and every refresh token \\(2\\) of ${alice.replace('|', '\\|')} ends`));
      await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByText('No active session or refresh token.').waitFor();
      await refused(phoneToken, 'backend');
      await refused(laptopToken, 'backend');
      const sessions = await api<{ sessions: unknown[] }>(server, 'GET', `/users/${encodeURIComponent(alice)}/sessions`, { token: mgmt });
      assert.deepEqual(sessions.body.sessions, []);
    });

    test('an expired Management token brings the sign-in back over the same view, and nothing typed is lost', async () => {
      await page.getByLabel('User ID').fill(bob);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByText('1 session · 1 refresh token').waitFor();
      await page.getByRole('button', { name: /^Edit token metadata/ }).click();
      await focusOn('Key 1');
      await page.keyboard.type('draft');

      server.clock.advanceSeconds(86_400 + 60); // past the Management token's 24 h (bob's token never expires)
      await page.getByRole('button', { name: 'Reload events' }).click();
      const dialog = page.getByRole('dialog', { name: 'Your sign-in expired' });
      await dialog.waitFor();
      assert.equal(await dialog.getByLabel('Client ID').inputValue(), MGMT_CLIENT);
      await focusOn('Client secret');
      await page.keyboard.type(secretOf(MGMT_CLIENT));
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      // Same user, same unsaved edit, and the call that was refused went through with the new token.
      assert.equal(new URL(page.url()).hash, `#/users/${encodeURIComponent(bob)}`);
      assert.equal(await page.getByLabel('Key 1', { exact: true }).inputValue(), 'draft');
      await page.getByRole('region', { name: 'Security events' }).getByText('Signed in: tokens issued').waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
    });

    test('is readable at phone width', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate('scrollTo(0, 0)');
      await page.getByText('1 session · 1 refresh token').waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0);
      await shot('console-phone', page, false);
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    test('sign-out forgets the token and the user data', async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(await page.evaluate('sessionStorage.length'), 0);
      assert.equal(await page.getByText(bob).count(), 0);
    });

    test('a read-only token sees no write control, a 403 is shown as such, and a revoke-only token sees only revocation', async () => {
      const readOnly = await context.browser()!.newContext({ locale: 'en-US', timezoneId: 'UTC' });
      const p = await readOnly.newPage();
      await p.clock.setFixedTime(now);
      p.setDefaultTimeout(10_000);
      const readOnlyWatch = new PageWatch(p, origin, [403]);
      await p.goto(`${origin}/admin/#/users/${encodeURIComponent(bob)}`);
      await p.getByLabel('Client ID').fill(READ_ONLY_CLIENT);
      await p.getByLabel('Client secret').fill(secretOf(READ_ONLY_CLIENT));
      await p.getByRole('button', { name: 'Sign in' }).click();
      // Straight to the user in the URL.
      await p.getByText('1 session · 1 refresh token').waitFor();
      await p.getByText('Read-only').waitFor();
      for (const name of [/Revoke/, /^Edit/, /End session/, /Sign out everywhere/]) {
        assert.equal(await p.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      const denied = p.getByRole('region', { name: 'Security events' }).getByRole('alert');
      await denied.waitFor();
      assert.equal(squash(await denied.textContent()), 'Security events: not allowed (403)Insufficient scope, expected any of: read:logs insufficient_scopeTry again');
      assert.deepEqual(await seriousAccessibilityViolations(p), []);
      await shot('console-read-only', p);

      // Signed out, then in with a client that may revoke refresh tokens only: exactly those controls appear.
      await p.getByRole('button', { name: 'Sign out', exact: true }).click();
      await p.getByLabel('Client ID').fill(REVOKER_CLIENT);
      await p.getByLabel('Client secret').fill(secretOf(REVOKER_CLIENT));
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByText('1 session · 1 refresh token').waitFor();
      assert.equal(await p.getByRole('button', { name: `Revoke refresh token ${bobToken.id}` }).count(), 1);
      for (const name of [/^Edit/, /End session/, /Sign out everywhere/]) {
        assert.equal(await p.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      await p.getByRole('button', { name: 'Revoke all refresh tokens' }).click();
      const dialog = p.getByRole('dialog', { name: 'Revoke all refresh tokens?' });
      assert.match(squash(await dialog.textContent()), new RegExp(`All 1 refresh token of ${bob.replace('|', '\\|')} stop working at once`));
      await dialog.getByRole('button', { name: 'Revoke all refresh tokens' }).click();
      await p.getByText('1 session · 0 refresh tokens').waitFor();
      await refused(bobToken.refreshToken, 'backend-forever');

      assert.deepEqual(readOnlyWatch.errors, []);
      assert.deepEqual(readOnlyWatch.foreignRequests, []);
      await readOnly.close();
    });

    test('nothing went wrong in the page: no script or console error, no request to any other origin', () => {
      assert.deepEqual(watch.errors, []);
      assert.deepEqual(watch.foreignRequests, []);
    });
  });
}
