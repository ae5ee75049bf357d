import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { ConfigError } from '../core/errors.js';

/** For a failed union (e.g. `null | {…}`), the error of the variant that got furthest: the one the author meant. */
function mostSpecific(error: ValueError): ValueError {
  let best = error;
  for (const variant of error.errors ?? []) {
    const first = variant.First();
    if (first && first.path.length > best.path.length) best = mostSpecific(first);
  }
  return best;
}

/** Checks `value` against `schema`; on failure throws one line naming the field (a JSON pointer) and the problem. */
export function validateOrThrow<T>(schema: TSchema, value: unknown, where: string): T {
  if (Value.Check(schema, value)) return value as T;
  const first = Value.Errors(schema, value).First();
  const e = first ? mostSpecific(first) : undefined;
  throw new ConfigError(`${where} ${e?.path || '/'}: ${e?.message ?? 'invalid value'}`);
}
