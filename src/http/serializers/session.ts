import type { Static } from '@sinclair/typebox';
import type { Session } from '../../core/types.js';
import type { Session as SessionSchema } from '../schemas/management.js';
import { isoDate, isoDateOrNull } from './dates.js';

export type SessionWire = Static<typeof SessionSchema>;

/**
 * A session as Auth0's session object (auth0-surface.md §1.8). IPs may be null there; user agents and ASNs are
 * strings, empty when unknown. No authentication methods are recorded: refreshd does not see the login itself.
 */
export function sessionToWire(s: Session): SessionWire {
  return {
    id: s.id,
    user_id: s.userId,
    created_at: isoDate(s.createdAt),
    updated_at: isoDate(s.updatedAt),
    authenticated_at: isoDate(s.authenticatedAt),
    idle_expires_at: isoDateOrNull(s.idleExpiresAt),
    expires_at: isoDateOrNull(s.expiresAt),
    last_interacted_at: isoDate(s.lastInteractedAt),
    device: {
      initial_user_agent: s.device.initialUserAgent ?? '',
      initial_ip: s.device.initialIp,
      initial_asn: '',
      last_user_agent: s.device.lastUserAgent ?? '',
      last_ip: s.device.lastIp,
      last_asn: '',
    },
    clients: s.clients.map((clientId) => ({ client_id: clientId })),
    authentication: { methods: [] },
    session_metadata: s.metadata,
  };
}
