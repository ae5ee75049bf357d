import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * The client a request claims to be (body `client_id` or the Basic user name), unauthenticated: it only picks the
 * client whose web origins apply (CORS); rate limits charge a client only once it has authenticated. Long values
 * are hashed so a hostile id cannot make keys of arbitrary size.
 */
export function claimedClientId(req: FastifyRequest): string | null {
  const body = req.body as Record<string, unknown> | undefined;
  let id: string | null = typeof body?.client_id === 'string' ? body.client_id : null;
  const auth = req.headers.authorization;
  if (id === null && typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    id = colon > 0 ? decoded.slice(0, colon) : null;
  }
  if (!id) return null;
  return id.length <= 128 ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;
}
