import { checkMetadata } from '../core/metadata.js';
import type { Metadata } from '../core/types.js';
import { invalidBody } from './errors.js';

export { METADATA_KEY_PATTERN, METADATA_MAX_KEYS, METADATA_MAX_VALUE_LENGTH } from '../core/metadata.js';

/**
 * Validates a PATCH value for `field` and returns the metadata to store, which replaces the old one whole
 * (`null` and `{}` clear it). The result has no prototype, so keys such as `__proto__` or `constructor` are only
 * ever data; the HTTP layer rejects `__proto__` earlier, when it parses the JSON.
 */
export function parseMetadata(field: string, value: unknown): Metadata {
  const checked = checkMetadata(field, value);
  if ('problem' in checked) throw invalidBody(checked.problem);
  return checked.metadata;
}
