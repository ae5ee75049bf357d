import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * SQL that starts with this comment runs as a named prepared statement on PostgreSQL: parsed and planned once
 * per connection instead of on every call. `QueryTemplate` adds it for the statements that opt in (the rotation
 * compare-and-set); for that UPDATE, parsing and planning cost PostgreSQL as much as executing it.
 */
const MARKER = /^\/\* prepare:([a-z0-9_]+) \*\//;

export function preparedStatementMarker(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new TypeError(`invalid prepared statement name "${name}"`);
  return `/* prepare:${name} */ `;
}

/**
 * A pg pool for Kysely that runs marked SQL as named prepared statements (node-postgres remembers, per
 * connection, which names it has prepared). Disable it behind a pooler that does not support protocol-level
 * prepared statements (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
 */
export function namedStatementPool(pool: pg.Pool): PostgresPool {
  // One wrapper per pg client, so Kysely (which keys its connections by client object) sees stable identities.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        query: ((sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>) => {
          if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
          const name = MARKER.exec(sqlOrCursor)?.[1];
          const values = parameters as unknown[];
          return name ? client.query({ name, text: sqlOrCursor, values }) : client.query(sqlOrCursor, values);
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
