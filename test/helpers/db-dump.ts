import { sql } from 'kysely';
import type { SqlStore } from '../../src/store/sql/sql-store.js';

/** Every table refreshd writes. */
export const TABLES = ['token_families', 'sessions', 'clients', 'resource_servers', 'client_grants', 'signing_keys', 'server_secrets', 'security_events'] as const;

/** Every cell of every table, rendered every way a secret could hide: text, and bytes as hex, base64, base64url, latin1. */
export async function dumpDatabase(store: SqlStore): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    for (const row of rows) {
      for (const v of Object.values(row)) {
        if (v instanceof Uint8Array) {
          const b = Buffer.from(v);
          parts.push(b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('latin1'));
        } else parts.push(String(v));
      }
    }
  }
  return parts.join('\n');
}

/** How many rows each table holds. */
export async function rowCounts(store: SqlStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
    out[table] = Number(rows[0]!.n);
  }
  return out;
}
