import type { Metadata } from './types.js';
import { hasLoneSurrogate } from './unicode.js';

/** Auth0's limits for refresh_token_metadata and session_metadata alike. */
export const METADATA_MAX_KEYS = 25;
export const METADATA_MAX_VALUE_LENGTH = 255;
export const METADATA_KEY_PATTERN = '^[A-Za-z0-9_-]{1,255}$';
const KEY = new RegExp(METADATA_KEY_PATTERN);

export const METADATA_LIMITS = 'Metadata must not exceed 25 entries. Each key and value must be ≤ 255 characters.';

/**
 * Checks a whole metadata object (`null` is none) and returns it as a null-prototype object, so keys such as
 * `__proto__` or `constructor` are only ever data; or the sentence, in Auth0's words, that says what is wrong.
 */
export function checkMetadata(field: string, value: unknown): { metadata: Metadata } | { problem: string } {
  const out = Object.create(null) as Metadata;
  if (value === null) return { metadata: out };
  if (typeof value !== 'object' || Array.isArray(value)) return { problem: `${field} must be an object or null.` };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_KEYS) return { problem: METADATA_LIMITS };
  for (const [key, v] of entries) {
    if (!KEY.test(key)) return { problem: `${field} keys may only include letters, numbers, underscores, or hyphens (1-255 characters).` };
    if (typeof v !== 'string') return { problem: `${field} values must be strings.` };
    if (v.length > METADATA_MAX_VALUE_LENGTH) return { problem: METADATA_LIMITS };
    if (hasLoneSurrogate(v)) return { problem: `${field} values must be well-formed Unicode text (no lone surrogates).` };
    out[key] = v;
  }
  return { metadata: out };
}

/**
 * `base` with `patch` applied as Auth0 Actions' `api.refreshToken.setMetadata(key, value)` does: a string sets
 * the key, `null` deletes it, other keys stay. The result is checked against the same limits.
 */
export function mergeMetadata(field: string, base: Metadata, patch: Record<string, string | null>): { metadata: Metadata } | { problem: string } {
  const merged: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(base)) merged[k] = v;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return checkMetadata(field, merged);
}
