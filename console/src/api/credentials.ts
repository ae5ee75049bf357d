/** A Management API access token and what it allows, as the token endpoint returned it. */
export interface Credentials {
  accessToken: string;
  clientId: string;
  scopes: readonly string[];
  /** Epoch milliseconds. */
  expiresAt: number;
}

// sessionStorage, never a cookie or localStorage: the token survives a reload of this tab, never reaches another
// tab or a later browser session, and is never sent anywhere by the browser on its own.
const KEY = 'refreshd-console:credentials';

export function loadCredentials(now: number): Credentials | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as Credentials;
    if (typeof c.accessToken !== 'string' || typeof c.expiresAt !== 'number' || !Array.isArray(c.scopes) || c.expiresAt <= now) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return c;
  } catch {
    return null;
  }
}

export function saveCredentials(c: Credentials): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(c));
  } catch {
    // Storage disabled: the token then lives in memory only, and a reload asks to sign in again.
  }
}

export function forgetCredentials(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
