import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../core/errors.js';

/** Checks `value` against `schema`; on failure throws one line naming the field (a JSON pointer) and the problem. */
export function validateOrThrow<T>(schema: TSchema, value: unknown, where: string): T {
  if (Value.Check(schema, value)) return value as T;
  const first = Value.Errors(schema, value).First();
  const path = first?.path || '/';
  throw new ConfigError(`${where} ${path}: ${first?.message ?? 'invalid value'}`);
}
