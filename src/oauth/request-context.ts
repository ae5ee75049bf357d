import { isIP } from 'node:net';
import type { Client, RequestContext } from '../core/types.js';

/**
 * The end user's IP: Auth0's `auth0-forwarded-for` header when the client is trusted to set it (a backend
 * calling on the user's behalf, authenticated by its secret), otherwise the connection's address. A public
 * client is never trusted, whatever its flag says: anyone can send its client_id. User agents are truncated
 * to 512 chars.
 */
export function endUserContext(client: Client, connection: RequestContext, forwardedFor: string | undefined): RequestContext {
  let ip = connection.ip;
  if (client.isTokenEndpointIpHeaderTrusted && client.tokenEndpointAuthMethod !== 'none' && forwardedFor) {
    const first = forwardedFor.split(',')[0]?.trim() ?? '';
    if (isIP(first)) ip = first;
  }
  return { ip, userAgent: connection.userAgent === null ? null : connection.userAgent.slice(0, 512) };
}
