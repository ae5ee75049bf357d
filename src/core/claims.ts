import { hasLoneSurrogate, illFormed } from './unicode.js';

/**
 * Claims an application puts into the access tokens of a refresh-token family (at issuance, or through the token
 * hook). They live in the family's row, as JSON, and are bounded so that a row and a token stay small.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Custom claims: top-level names to JSON values. Always a null-prototype object, so `__proto__` is never special. */
export type Claims = Record<string, JsonValue>;

/** The serialized claims of one family (or of one access token's custom part) may not exceed this, in UTF-8. */
export const CLAIMS_MAX_BYTES = 4096;
export const CLAIMS_MAX_COUNT = 50;
export const CLAIM_NAME_MAX_LENGTH = 255;
const MAX_DEPTH = 8;

/**
 * Names an application may never set: the registered JWT claims (RFC 7519), the ones refreshd itself decides
 * (`azp`, `scope`, `sid`, `gty`, `client_id`, `cnf` for DPoP), and protocol claims whose meaning a verifier takes
 * on trust (OIDC, token exchange's `act`, DPoP's `htm`/`htu`/`ath`, JOSE header names). Auth0 refuses the same
 * family of names; the application's own claims (`roles`, `groups`, `tenant`, namespaced URLs) are free.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti',
  'azp', 'client_id', 'scope', 'scp', 'sid', 'gty', 'cnf',
  'act', 'may_act', 'auth_time', 'acr', 'amr', 'nonce', 'at_hash', 'c_hash', 's_hash',
  'htm', 'htu', 'ath', 'authorization_details', 'events', 'txn', 'toe',
  'typ', 'cty', 'alg', 'kid', 'jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit',
  '__proto__',
]);

/** A new, empty claims object. */
export function emptyClaims(): Claims {
  return Object.create(null) as Claims;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function depthOf(v: unknown, depth = 0): number {
  if (depth > MAX_DEPTH) return depth;
  if (Array.isArray(v)) return Math.max(depth, ...v.map((x) => depthOf(x, depth + 1)));
  if (isPlainObject(v)) return Math.max(depth, ...Object.values(v).map((x) => depthOf(x, depth + 1)));
  return depth;
}

function nameProblem(name: string): string | null {
  if (name.length === 0 || name.length > CLAIM_NAME_MAX_LENGTH) return `claim names are 1 to ${CLAIM_NAME_MAX_LENGTH} characters`;
  // Control characters and lone surrogates would not survive a JWT verifier or a log line intact.
  if (/[\u0000-\u001f\u007f]/.test(name) || hasLoneSurrogate(name)) return 'claim names must be printable text';
  if (RESERVED_CLAIMS.has(name)) return `"${name}" is a reserved claim and cannot be set`;
  return null;
}

function valueProblem(name: string, v: unknown): string | null {
  if (v === null) return `claim "${name}" is null (omit it instead)`;
  if (depthOf(v) > MAX_DEPTH) return `claim "${name}" is nested more than ${MAX_DEPTH} levels deep`;
  const text = JSON.stringify(v);
  if (text === undefined) return `claim "${name}" is not a JSON value`;
  if (illFormed(v)) return `claim "${name}" has ill-formed text (a lone surrogate)`;
  return null;
}

function sizeProblem(claims: Claims): string | null {
  if (Object.keys(claims).length > CLAIMS_MAX_COUNT) return `at most ${CLAIMS_MAX_COUNT} claims`;
  if (Buffer.byteLength(JSON.stringify(claims)) > CLAIMS_MAX_BYTES) return `claims may not exceed ${CLAIMS_MAX_BYTES} bytes of JSON`;
  return null;
}

/**
 * Checks a complete set of claims (what a family stores). Returns the claims as a null-prototype object, or a
 * sentence saying what is wrong, fit to show to the application that sent them.
 */
export function checkClaims(value: unknown): { claims: Claims } | { problem: string } {
  if (!isPlainObject(value)) return { problem: 'claims must be a JSON object' };
  const out = emptyClaims();
  for (const [name, v] of Object.entries(value)) {
    const problem = nameProblem(name) ?? valueProblem(name, v);
    if (problem) return { problem };
    out[name] = v as JsonValue;
  }
  const problem = sizeProblem(out);
  return problem ? { problem } : { claims: out };
}

/**
 * Checks a patch: like a set, but a `null` value means "remove this claim". Reserved names are refused even
 * with null: removing `sub` is no more allowed than setting it.
 */
export function checkClaimsPatch(value: unknown): { patch: Record<string, JsonValue> } | { problem: string } {
  if (!isPlainObject(value)) return { problem: 'claims must be a JSON object' };
  const out = emptyClaims();
  for (const [name, v] of Object.entries(value)) {
    const problem = nameProblem(name) ?? (v === null ? null : valueProblem(name, v));
    if (problem) return { problem };
    out[name] = v as JsonValue;
  }
  if (Object.keys(out).length > CLAIMS_MAX_COUNT * 2) return { problem: `at most ${CLAIMS_MAX_COUNT * 2} claims in one patch` };
  return { patch: out };
}

/**
 * `base` with `patch` merged over it: a named claim is set, a `null` one removed, every other claim of `base`
 * kept. Never a replacement of the whole set (the lesson of ory/hydra#3852: claims lost on refresh). The result
 * is checked against the same bounds as a stored set.
 */
export function mergeClaims(base: Claims, patch: Record<string, JsonValue>): { claims: Claims } | { problem: string } {
  const out = emptyClaims();
  for (const [k, v] of Object.entries(base)) out[k] = v;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  const problem = sizeProblem(out);
  return problem ? { problem } : { claims: out };
}

/** Claims as stored in a row: null for none, so a family without claims costs no bytes. */
export function claimsToText(claims: Claims | null): string | null {
  return claims === null || Object.keys(claims).length === 0 ? null : JSON.stringify(claims);
}

/** Parses stored claims into a null-prototype object (keys such as `__proto__` stay plain data). */
export function claimsFromText(text: string | null): Claims {
  const out = emptyClaims();
  if (!text) return out;
  for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, JsonValue>)) out[k] = v;
  return out;
}
