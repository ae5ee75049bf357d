/**
 * When a family or a session is live: the one definition, in domain terms. The store applies the same rule in
 * SQL (`store/sql/liveness.ts`, checked against this one by the store contract tests); everything else calls
 * these functions rather than comparing timestamps itself.
 *
 * An expiry is an instant at which the thing is already dead (`<= now`), so a token whose expiry equals the
 * request time is refused by the code and by the compare-and-set alike.
 */
export interface Expiring {
  expiresAt: number | null;
  idleExpiresAt: number | null;
}

export function isExpired(x: Expiring, now: number): boolean {
  return (x.expiresAt !== null && x.expiresAt <= now) || (x.idleExpiresAt !== null && x.idleExpiresAt <= now);
}

/** A family is live when it is neither revoked nor expired. */
export function isLiveFamily(f: Expiring & { revokedAt: number | null }, now: number): boolean {
  return f.revokedAt === null && !isExpired(f, now);
}

/** A session has no revoked state: deleting it removes it. It is live until it expires. */
export function isLiveSession(s: Expiring, now: number): boolean {
  return !isExpired(s, now);
}
