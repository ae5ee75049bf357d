import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the console is served. Its pages use relative URLs, so a proxy may mount refreshd under a path. */
export const CONSOLE_PREFIX = '/admin';

/** The built console (`npm run build` writes it): dist/console beside dist/src. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/**
 * Only the console's own files, and only its own origin to talk to: no inline script or style, no other host,
 * no framing (clickjacking a revoke button), no plugins, no <base> rewriting, and no native form submission
 * (every form is handled in script; a form that somehow submitted would otherwise put a secret in a URL).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  // Older browsers that ignore frame-ancestors.
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Revalidate every time (cheap: an ETag answers 304), so an upgrade is picked up at once.
  'cache-control': 'no-cache',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(path: string): Asset | null {
  const type = TYPES[extname(path)];
  if (!type || !statSync(path).isFile()) return null;
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The whole console, read once: a page and a handful of assets, a few hundred kilobytes at most. */
function loadConsole(dir: string): { index: Asset; assets: Map<string, Asset> } | null {
  const index = existsSync(join(dir, 'index.html')) ? asset(join(dir, 'index.html')) : null;
  const assetsDir = join(dir, 'assets');
  if (!index || !existsSync(assetsDir)) return null;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(assetsDir)) {
    const a = asset(join(assetsDir, name));
    if (a) assets.set(name, a);
  }
  return { index, assets };
}

function secure(reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
  return reply;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset): FastifyReply {
  secure(reply).header('etag', a.etag).type(a.type);
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  return reply.send(a.body);
}

export interface ConsolePluginOptions {
  /** The built console; CONSOLE_DIR unless a test points elsewhere. */
  dir?: string;
}

/**
 * The admin console at /admin: static files only. It is the Management API's first client and has no private
 * door into the server: it signs in by client credentials at /oauth/token and calls /api/v2 like any other client.
 * Register with `prefix: CONSOLE_PREFIX`.
 */
export async function consolePlugin(app: FastifyInstance, opts: ConsolePluginOptions): Promise<void> {
  const dir = opts.dir ?? CONSOLE_DIR;
  const built = loadConsole(dir);
  if (!built) app.log.warn({ dir }, 'the admin console is not built (npm run build); /admin answers 404');

  app.setNotFoundHandler((_req, reply) => {
    const message = built ? 'Not Found' : 'The admin console is not built: run `npm run build`.';
    secure(reply).code(404).type('text/plain; charset=utf-8').send(message);
  });
  if (!built) return;

  // /admin → /admin/, relative so that a path prefix added by a proxy survives; the page's URLs are relative to it.
  app.get('/', { prefixTrailingSlash: 'no-slash' }, (_req, reply) => {
    secure(reply).redirect('admin/', 301);
  });
  app.get('/', { prefixTrailingSlash: 'slash' }, (req, reply) => send(req, reply, built.index));
  app.get<{ Params: { name: string } }>('/assets/:name', (req, reply) => {
    const a = built.assets.get(req.params.name);
    if (!a) return secure(reply).code(404).type('text/plain; charset=utf-8').send('Not Found');
    return send(req, reply, a);
  });
}
