import type { ColumnDataType } from 'kysely';
import type { StoreDialect } from '../../ports/store.js';

/** Logical column types; the only place where the two dialects differ in schema. */
export type LogicalType = 'text' | 'epochMs' | 'integer' | 'bytes' | 'bool' | 'json';

const TYPE_MAP: Record<LogicalType, Record<StoreDialect, ColumnDataType>> = {
  text: { sqlite: 'text', postgres: 'text' },
  epochMs: { sqlite: 'integer', postgres: 'bigint' },
  integer: { sqlite: 'integer', postgres: 'integer' },
  bytes: { sqlite: 'blob', postgres: 'bytea' },
  // Written as 0/1 everywhere (better-sqlite3 cannot bind booleans; PostgreSQL accepts '1'/'0'), read with Boolean().
  bool: { sqlite: 'integer', postgres: 'boolean' },
  // JSON is stored as text: it is never queried inside, only read back whole.
  json: { sqlite: 'text', postgres: 'text' },
};

export type ColumnTypes = (type: LogicalType) => ColumnDataType;

export function columnTypes(dialect: StoreDialect): ColumnTypes {
  return (type) => TYPE_MAP[type][dialect];
}
