/**
 * Ill-formed UTF-16 (a lone surrogate, from a JSON `\ud800` escape) cannot be stored: UTF-8 has no encoding for
 * it, so the drivers write U+FFFD instead, and two different ids (`a\ud800`, `a\udbff`) become the same stored
 * one. Refused wherever text enters, never repaired.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** True if any string in `v` (object keys included) has a lone surrogate. */
export function illFormed(v: unknown): boolean {
  if (typeof v === 'string') return hasLoneSurrogate(v);
  if (Array.isArray(v)) return v.some(illFormed);
  if (typeof v === 'object' && v !== null) return Object.entries(v).some(([k, x]) => hasLoneSurrogate(k) || illFormed(x));
  return false;
}
