/** Scopes are space-delimited on the wire (RFC 6749 §3.3); inside, an ordered list without duplicates. */
export function parseScope(scope: string | undefined | null): string[] {
  if (!scope) return [];
  const out: string[] = [];
  for (const s of scope.split(' ')) if (s && !out.includes(s)) out.push(s);
  return out;
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}
