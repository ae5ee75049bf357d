import type { RawRequestDefaultExpression } from 'fastify';
import { issuerPathPrefix, normalizeIssuer } from '../config/issuer.js';

/** The well-known documents that RFC 8414 §3.1 locates by inserting their name before the issuer's path. */
const PATH_FORM_WELL_KNOWN = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/**
 * With an issuer that has a path (`https://auth.example.com/t1/`), discovery advertises every endpoint under that
 * path. Each route is registered once, at the root; this maps a request under the issuer path to it, so both
 * answer: under the path for a proxy that passes it through, at the root for one that strips it. The RFC 8414
 * form of discovery, `/.well-known/oauth-authorization-server/t1` (with or without the trailing slash), maps to
 * the document too. Returns undefined for a host-only issuer: nothing to rewrite.
 */
export function issuerPathRewrite(issuer: string): ((req: RawRequestDefaultExpression) => string) | undefined {
  const prefix = issuerPathPrefix(normalizeIssuer(issuer, 'issuer'));
  if (prefix === '') return undefined;
  return (req) => {
    const url = req.url ?? '/';
    if (url.startsWith(`${prefix}/`)) return url.slice(prefix.length);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    for (const wellKnown of PATH_FORM_WELL_KNOWN) {
      if (path === `${wellKnown}${prefix}` || path === `${wellKnown}${prefix}/`) return wellKnown + (q < 0 ? '' : url.slice(q));
    }
    return url;
  };
}
