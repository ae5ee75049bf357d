/** Auth0's log event codes that refreshd records, in words (GET /api/v2/logs `type`). */
const WORDS: Record<string, string> = {
  secte: 'Signed in: tokens issued',
  fecte: 'Token exchange failed',
  sertft: 'Refresh token exchanged',
  fertft: 'Refresh token exchange failed',
  ferrt: 'Reused refresh token: family revoked',
  srrt: 'Refresh token revoked',
  seccft: 'Client credentials exchange',
  feccft: 'Client credentials exchange failed',
  sapi: 'Management API change',
};

export function eventInWords(type: string): string {
  return WORDS[type] ?? `Event ${type}`;
}

/** Failures and reuse are what support staff look for first; they are marked. */
export function isAlarming(type: string): boolean {
  return type === 'ferrt' || type.startsWith('f');
}
