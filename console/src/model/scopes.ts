/** The Management API scopes the console's controls need; a control shows only when the token holds them. */
export const SCOPES = {
  readTokens: 'read:refresh_tokens',
  updateTokens: 'update:refresh_tokens',
  deleteTokens: 'delete:refresh_tokens',
  readSessions: 'read:sessions',
  updateSessions: 'update:sessions',
  deleteSessions: 'delete:sessions',
  readLogs: 'read:logs',
  readClients: 'read:clients',
} as const;

export const WRITE_SCOPES: readonly string[] = [SCOPES.updateTokens, SCOPES.deleteTokens, SCOPES.updateSessions, SCOPES.deleteSessions];

export function holds(scopes: readonly string[], ...needed: string[]): boolean {
  return needed.every((s) => scopes.includes(s));
}
