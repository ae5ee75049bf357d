import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

/**
 * The Management API's validator: TypeBox's compiled checks, with no coercion of JSON bodies (a number is not
 * a string) and a strict coercion of query strings and path parameters, whose values always arrive as text.
 * Fastify's default Ajv setup would strip unknown body properties instead of rejecting them, and TypeBox's own
 * Value.Convert reads "1.5" or "1e1" as an integer; here only canonical integers and true/false convert.
 */
export const managementValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const coerce = httpPart === 'querystring' || httpPart === 'params' ? textCoercer(schema) : null;
  return (value: unknown) => {
    const input = coerce ? coerce(value) : value;
    if (check.Check(input)) return { value: input };
    const first = check.Errors(input).First();
    const error: FastifySchemaValidationError = {
      keyword: first ? ValueErrorType[first.type] : 'invalid',
      instancePath: first?.path ?? '',
      schemaPath: '',
      params: {},
      message: first?.message ?? 'Invalid value',
    };
    return { error: [error] };
  };
};

const INTEGER = /^-?(0|[1-9][0-9]{0,14})$/;

function textCoercer(schema: TSchema): (value: unknown) => unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const kinds = new Map<string, 'integer' | 'boolean'>();
  for (const [name, prop] of Object.entries(properties)) {
    if (prop.type === 'integer') kinds.set(name, 'integer');
    if (prop.type === 'boolean') kinds.set(name, 'boolean');
  }
  return (value) => {
    if (kinds.size === 0 || value === null || typeof value !== 'object') return value;
    // A copy with no prototype: query strings may carry keys such as __proto__, which must stay data.
    const out = Object.assign(Object.create(null) as Record<string, unknown>, value);
    for (const [name, kind] of kinds) {
      const raw = out[name];
      if (typeof raw !== 'string') continue;
      if (kind === 'integer' && INTEGER.test(raw)) out[name] = Number(raw);
      else if (kind === 'boolean' && (raw === 'true' || raw === 'false')) out[name] = raw === 'true';
    }
    return out;
  };
}
