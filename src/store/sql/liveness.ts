import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * `core/liveness.ts` in SQL: one definition of "not expired" for families and sessions (both tables name their
 * expiries `expires_at` and `idle_expires_at`), and of "live" for families. `table` qualifies the columns when
 * the query joins or aliases (e.g. `f` in garbage collection). `now` may be a query-template slot.
 */
export function notExpired(now: number, table?: string): Expression<SqlBool> {
  const expiresAt = sql.ref(table ? `${table}.expires_at` : 'expires_at');
  const idleExpiresAt = sql.ref(table ? `${table}.idle_expires_at` : 'idle_expires_at');
  return sql<SqlBool>`(${expiresAt} is null or ${expiresAt} > ${now}) and (${idleExpiresAt} is null or ${idleExpiresAt} > ${now})`;
}

/** A family is live when it is neither revoked nor expired. */
export function liveFamily(now: number, table?: string): Expression<SqlBool> {
  const revokedAt = sql.ref(table ? `${table}.revoked_at` : 'revoked_at');
  return sql<SqlBool>`${revokedAt} is null and ${notExpired(now, table)}`;
}
