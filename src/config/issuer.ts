import { ConfigError } from '../core/errors.js';

/**
 * First path segments that refreshd serves itself. An issuer path may not start with one: its endpoints are
 * served under the issuer path by stripping it from the request path, which would then shadow these routes.
 */
const RESERVED_SEGMENTS = ['oauth', 'api', '.well-known', 'health', 'metrics', 'admin'];

/**
 * Checks an issuer URL and returns it with the trailing slash refreshd always uses (`https://host/` or
 * `https://host/tenant/`): the exact string of `iss` and of discovery's `issuer`.
 */
export function normalizeIssuer(text: string, source = 'REFRESHD_ISSUER'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${source}: not an absolute URL: "${text.slice(0, 200)}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${source}: must be an http(s) URL`);
  if (url.search || url.hash || text.includes('?') || text.includes('#')) throw new ConfigError(`${source}: must not have a query or fragment`);
  if (url.username || url.password) throw new ConfigError(`${source}: must not carry credentials`);
  const first = url.pathname.split('/')[1] ?? '';
  if (RESERVED_SEGMENTS.includes(first)) {
    throw new ConfigError(`${source}: the path may not start with /${first}/ (refreshd serves that path itself)`);
  }
  return text.endsWith('/') ? text : `${text}/`;
}

/** The issuer's path without its trailing slash: '' for `https://host/`, '/t1' for `https://host/t1/`. */
export function issuerPathPrefix(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/$/, '');
}
