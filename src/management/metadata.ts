import type { Metadata } from '../core/types.js';
import { invalidBody } from './errors.js';

/** Auth0's limits for refresh_token_metadata and session_metadata alike. */
export const METADATA_MAX_KEYS = 25;
export const METADATA_MAX_VALUE_LENGTH = 255;
export const METADATA_KEY_PATTERN = '^[A-Za-z0-9_-]{1,255}$';
const KEY = new RegExp(METADATA_KEY_PATTERN);

const LIMITS = 'Metadata must not exceed 25 entries. Each key and value must be ≤ 255 characters.';

/**
 * Validates a PATCH value for `field` and returns the metadata to store, which replaces the old one whole
 * (`null` and `{}` clear it). The result has no prototype, so keys such as `__proto__` or `constructor` are only
 * ever data; the HTTP layer rejects `__proto__` earlier, when it parses the JSON.
 */
export function parseMetadata(field: string, value: unknown): Metadata {
  const out = Object.create(null) as Metadata;
  if (value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidBody(`${field} must be an object or null.`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_KEYS) throw invalidBody(LIMITS);
  for (const [key, v] of entries) {
    if (!KEY.test(key)) throw invalidBody(`${field} keys may only include letters, numbers, underscores, or hyphens (1-255 characters).`);
    if (typeof v !== 'string') throw invalidBody(`${field} values must be strings.`);
    if (v.length > METADATA_MAX_VALUE_LENGTH) throw invalidBody(LIMITS);
    out[key] = v;
  }
  return out;
}
