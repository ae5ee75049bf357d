import { isExpired } from '../core/liveness.js';
import type { Client, TokenFamily } from '../core/types.js';
import { digestsEqual, openSuccessor, sha256, type ParsedRefreshToken } from '../tokens/refresh-token.js';


/** Why an exchange failed, for logs, events and metrics; the client always sees the same description. */
export type RefreshFailure = 'malformed' | 'unknown' | 'other_client' | 'revoked' | 'expired' | 'reused' | 'invalid';

/** What a presented (MAC-checked) refresh token is, judged against its family as read. */
export type Verdict =
  /** The family's current token, live: the exchange may go on to its decisions and the compare-and-set. */
  | { kind: 'current'; family: TokenFamily }
  /** The previous token again within the leeway: answered with the successor already issued (no write). */
  | { kind: 'leeway_replay'; family: TokenFamily; successor: Buffer }
  /** An older generation of a live family: the family leaked and must be revoked. */
  | { kind: 'reuse'; family: TokenFamily }
  /** Unusable. `family` is null when it is unknown or another client's (nothing of it is disclosed or logged). */
  | { kind: 'dead'; reason: RefreshFailure; family: TokenFamily | null };

/**
 * Judges a presented token against its family, with no I/O: the same rules whether the family was read before
 * the compare-and-set or after it missed. Decides nothing about what the token may obtain (scope, audience):
 * a token that is not current is settled here whatever the request asks for.
 */
export function judgePresentedToken(family: TokenFamily | null, presented: ParsedRefreshToken, presentedHash: Buffer, client: Client, now: number): Verdict {
  if (!family) return { kind: 'dead', reason: 'unknown', family: null };
  if (family.clientId !== client.clientId) return { kind: 'dead', reason: 'other_client', family: null };
  if (family.revokedAt !== null) return { kind: 'dead', reason: 'revoked', family };
  if (isExpired(family, now)) return { kind: 'dead', reason: 'expired', family };

  if (presented.generation === family.generation) {
    return digestsEqual(family.currentHash, presentedHash) ? { kind: 'current', family } : { kind: 'dead', reason: 'invalid', family };
  }
  if (presented.generation === family.generation - 1 && digestsEqual(family.previousHash, presentedHash)) {
    const leewayMs = client.refreshToken.leewaySeconds * 1000;
    if (leewayMs > 0 && family.rotatedAt !== null && now - family.rotatedAt <= leewayMs && family.successorBox) {
      const successor = openSuccessor(presented.secret, family.id, family.generation, family.successorBox);
      if (successor && digestsEqual(family.currentHash, sha256(successor))) return { kind: 'leeway_replay', family, successor };
    }
  }
  // The MAC proves we issued this generation; an older one coming back means the family leaked.
  if (presented.generation < family.generation) return { kind: 'reuse', family };
  return { kind: 'dead', reason: 'invalid', family };
}
