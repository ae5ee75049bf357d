import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { invalidBody } from '../admin/errors.js';
import type { AdminDeps } from '../admin/deps.js';

/** Runs a configuration use case over the configured store (cli.ts's `withAdmin`), storing its `sapi` events. */
export type WithAdmin = <T>(fn: (deps: AdminDeps) => Promise<T>) => Promise<T>;

/**
 * Checks the options against the Management API's own body schema, so the CLI accepts and refuses exactly what
 * the API does (lengths, scope syntax, lifetime range). The options carry Auth0's field names in kebab case, so a
 * refusal names the option: one line, exit 2 like any ManagementError.
 */
export function checkedBody<T extends TSchema>(schema: T, body: Static<T>): Static<T> {
  const check = TypeCompiler.Compile(schema);
  if (check.Check(body)) return body;
  const first = check.Errors(body).First();
  const field = first?.path.split('/')[1] ?? '';
  throw invalidBody(`--${field.replaceAll('_', '-')}: ${first?.message ?? 'invalid value'}.`);
}

/** A comma-separated list option (`--scopes a,b`); an empty value is the empty list. */
export const commaList = (value: string): string[] => (value === '' ? [] : value.split(','));
