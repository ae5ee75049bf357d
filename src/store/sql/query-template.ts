import type { Compilable, CompiledQuery } from 'kysely';
import { preparedStatementMarker } from './pg-named-statements.js';

const SLOT = Symbol('query-template slot');
interface SlotMarker {
  readonly [SLOT]: string;
}

/**
 * A query built and compiled by Kysely once, then executed many times with new values. Building and compiling
 * a query costs more than SQLite takes to run it, so the hottest statement (the rotation compare-and-set) is
 * compiled once per shape and database. Every value in the template must be a slot: `slot('now')` stands in for
 * the value at build time, and `bind` puts the real values in the compiled parameter list.
 *
 * With `preparedStatement`, PostgreSQL also parses and plans it once per connection (pg-named-statements.ts); such
 * a query must name its result columns (no `*`), so a later migration that adds a column cannot invalidate the
 * prepared statement's result type under a running server.
 */
export class QueryTemplate<V extends Record<string, unknown>, R> {
  readonly #compiled: CompiledQuery<R>;
  readonly #order: (keyof V & string)[];

  constructor(query: Compilable<R>, options: { preparedStatement?: string } = {}) {
    const compiled = query.compile();
    this.#compiled = options.preparedStatement ? { ...compiled, sql: preparedStatementMarker(options.preparedStatement) + compiled.sql } : compiled;
    this.#order = this.#compiled.parameters.map((p, i) => {
      const name = typeof p === 'object' && p !== null && SLOT in p ? (p as SlotMarker)[SLOT] : undefined;
      if (name === undefined) throw new TypeError(`query template parameter ${i + 1} is a literal value, not a slot`);
      return name as keyof V & string;
    });
  }

  bind(values: V): CompiledQuery<R> {
    return { ...this.#compiled, parameters: this.#order.map((name) => values[name]) };
  }
}

/** A stand-in for the value named `name`; typed as the value it stands for, so the query builder checks columns. */
export function slot<T>(name: string): T {
  return { [SLOT]: name } as SlotMarker as unknown as T;
}
