import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { ConfigError } from '../../src/core/errors.js';
import { loadEnv } from '../../src/config/env.js';
import { CONSOLE_CSP, CONSOLE_DIR, consolePlugin } from '../../src/http/console-plugin.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';

// The console's files are static and touch no store: one store is enough here (the browser suite runs on both).
const kind = STORES[0]!;

describe(`/admin: the console's files and headers (${kind})`, () => {
  let server: TestServer;
  let without: TestServer;
  before(async () => {
    server = await startServer(kind, { app: { console: true } });
    without = await startServer(kind);
  });
  after(async () => {
    await server.close();
    await without.close();
  });
  const get = (path: string, headers: Record<string, string> = {}, s = server) => fetch(`${s.baseUrl}${path}`, { headers, redirect: 'manual' });

  test('/admin redirects to /admin/ with a relative Location, so a proxy path prefix survives', async () => {
    const r = await get('/admin');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), 'admin/');
    assert.equal(new URL(r.headers.get('location')!, `${server.baseUrl}/admin`).pathname, '/admin/');
  });

  test('the page and its assets carry a strict CSP and no-framing, and revalidate by ETag', async () => {
    for (const [path, type] of [
      ['/admin/', 'text/html; charset=utf-8'],
      ['/admin/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/admin/assets/app.css', 'text/css; charset=utf-8'],
      ['/admin/assets/icon.svg', 'image/svg+xml'],
    ] as const) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('content-type'), type, path);
      assert.equal(r.headers.get('content-security-policy'), CONSOLE_CSP, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(r.headers.get('cache-control'), 'no-cache');
      const etag = r.headers.get('etag')!;
      assert.match(etag, /^"[\w-]{27}"$/);
      const again = await get(path, { 'if-none-match': etag });
      assert.equal(again.status, 304, path);
      assert.equal(await again.text(), '');
    }
    const policy = Object.fromEntries(CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.deepEqual(policy, {
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self'",
      'connect-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  test('unknown paths under /admin are a plain 404 with the same headers; nothing else is served from the build', async () => {
    for (const path of ['/admin/nope', '/admin/assets/nope.js', '/admin/assets/..%2findex.html', '/admin/index.html']) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('content-security-policy'), CONSOLE_CSP, path);
      assert.equal(await r.text(), 'Not Found');
    }
  });

  test('the built page has no inline script or style, and the bundle names no other host to load from', async () => {
    const html = await (await get('/admin/')).text();
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((m) => m[0].includes(' src="') && m[1]!.trim() === ''), 'every script is a file');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(html, /https?:\/\//, 'the page links only relative URLs');
    for (const name of readdirSync(join(CONSOLE_DIR, 'assets'))) {
      const text = readFileSync(join(CONSOLE_DIR, 'assets', name), 'utf8');
      // XML namespace names are identifiers, never fetched; any other absolute URL would be a request elsewhere.
      const urls = new Set(text.match(/https?:\/\/[^\s"'`)]+/g) ?? []);
      for (const ns of ['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xhtml', 'http://www.w3.org/1998/Math/MathML']) urls.delete(ns);
      if (name.endsWith('.txt')) continue; // the licences name their authors' sites
      // The Management API audience is an identifier built from the issuer (`https://${host}/api/v2/`), not fetched.
      assert.deepEqual([...urls].filter((u) => !u.startsWith('https://${')), [], name);
    }
  });

  test('off unless asked for in buildApp, and REFRESHD_CONSOLE=false turns it off in the server', async () => {
    const r = await get('/admin/', {}, without);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('content-security-policy'), null);
    assert.equal(loadEnv({}).console, true);
    assert.equal(loadEnv({ REFRESHD_CONSOLE: 'false' }).console, false);
    assert.throws(() => loadEnv({ REFRESHD_CONSOLE: 'off' }), (e: unknown) => e instanceof ConfigError && /REFRESHD_CONSOLE/.test(e.message));
  });

  test('a server whose console was not built says so at /admin instead of failing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'refreshd-console-'));
    const app = Fastify();
    try {
      await app.register(consolePlugin, { prefix: '/admin', dir: empty });
      const r = await app.inject({ url: '/admin/' });
      assert.equal(r.statusCode, 404);
      assert.equal(r.body, 'The admin console is not built: run `npm run build`.');
      assert.equal(r.headers['content-security-policy'], CONSOLE_CSP);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('under an issuer with a path, the console is served there too and its relative URLs stay under it', async () => {
    const tenant = await startServer(kind, { issuer: 'http://refreshd.test/t1/', app: { console: true } });
    try {
      const redirect = await get('/t1/admin', {}, tenant);
      assert.equal(redirect.status, 301);
      const page = new URL(redirect.headers.get('location')!, `${tenant.baseUrl}/t1/admin`);
      assert.equal(page.pathname, '/t1/admin/');
      assert.equal((await get(page.pathname, {}, tenant)).status, 200);
      // What the console's endpoint() resolves from /t1/admin/: discovery, the token endpoint, the Management API.
      const discovery = await get(new URL('../.well-known/openid-configuration', page).pathname, {}, tenant);
      assert.equal(((await discovery.json()) as { issuer: string }).issuer, 'http://refreshd.test/t1/');
      const unauthenticated = await get(new URL('../api/v2/users/x/sessions', page).pathname, {}, tenant);
      assert.equal(unauthenticated.status, 401);
    } finally {
      await tenant.close();
    }
    assert.throws(() => loadEnv({ REFRESHD_ISSUER: 'https://auth.example.com/admin/' }), /may not start with \/admin\//);
  });

  test('the package ships the built console', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[]; scripts: Record<string, string> };
    assert.ok(pkg.files.includes('dist/console'));
    assert.match(pkg.scripts.build!, /build:console/);
    assert.equal(pkg.scripts.prepare, 'npm run build');
  });
});
