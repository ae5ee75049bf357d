import { randomBytes } from 'node:crypto';
import { emptyClaims } from '../../src/core/claims.js';
import { randomId } from '../../src/core/ids.js';
import type { Session, TokenFamily } from '../../src/core/types.js';
import { sha256 } from '../../src/tokens/refresh-token.js';

/** A store-level refresh-token family row: live, rotating, generation 0, created at `createdAt`. */
export function familyRecord(createdAt: number, o: Partial<TokenFamily> = {}): TokenFamily {
  return {
    id: randomId(),
    userId: 'user-1',
    clientId: 'client-1',
    sessionId: null,
    audience: 'https://api',
    scope: ['offline_access'],
    generation: 0,
    rotating: true,
    currentHash: sha256(randomBytes(32)),
    previousHash: null,
    successorBox: null,
    createdAt,
    rotatedAt: null,
    lastExchangedAt: null,
    idleExpiresAt: null,
    expiresAt: null,
    revokedAt: null,
    revokedReason: null,
    device: { initialIp: '192.0.2.1', initialUserAgent: 'ua', lastIp: '192.0.2.1', lastUserAgent: 'ua' },
    metadata: {},
    claims: emptyClaims(),
    successorClaims: null,
    dpopJkt: null,
    ...o,
  };
}

/** A store-level session row, created (and last active) at `createdAt`, without expiry. */
export function sessionRecord(createdAt: number, o: Partial<Session> = {}): Session {
  return {
    id: randomId(),
    userId: 'user-1',
    createdAt,
    updatedAt: createdAt,
    authenticatedAt: createdAt,
    lastInteractedAt: createdAt,
    idleExpiresAt: null,
    expiresAt: null,
    device: { initialIp: null, initialUserAgent: null, lastIp: null, lastUserAgent: null },
    clients: ['client-1'],
    metadata: {},
    ...o,
  };
}
