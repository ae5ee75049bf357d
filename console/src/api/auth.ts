import { SignedOutError } from './api-error.js';
import { forgetCredentials, loadCredentials, saveCredentials, type Credentials } from './credentials.js';

export interface AuthState {
  credentials: Credentials | null;
  /** The token expired (or was refused) while signed in: the sign-in comes back over the current view. */
  expired: boolean;
  /**
   * The last client that signed in and its scopes: the form is prefilled with it after an expiry, and the view
   * under the dialog keeps its controls. Never the token.
   */
  last: { clientId: string; scopes: readonly string[] } | null;
}

const lastOf = (c: Credentials) => ({ clientId: c.clientId, scopes: c.scopes });

/** A token is not used in its last seconds, so that it does not expire on its way to the server. */
const MARGIN_MS = 10_000;

/**
 * Holds the Management API token and tells the views when it changes. A call made while no valid token is held
 * waits until the user signs in again, then goes on: nothing the user was looking at is lost.
 */
export class Auth {
  #state: AuthState;
  #listeners = new Set<(s: AuthState) => void>();
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    const credentials = loadCredentials(Date.now() + MARGIN_MS);
    this.#state = { credentials, expired: false, last: credentials ? lastOf(credentials) : null };
    this.#schedule();
  }

  get state(): AuthState {
    return this.#state;
  }

  subscribe(listener: (s: AuthState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The current token; waits for a new sign-in when there is none or it is about to expire. */
  async token(): Promise<string> {
    for (;;) {
      const c = this.#state.credentials;
      if (c && c.expiresAt - MARGIN_MS > Date.now()) return c.accessToken;
      if (c) this.expire(c.accessToken);
      await new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    }
  }

  /** The API refused `token` (401) or it ran out: ask to sign in again, unless a newer token already replaced it. */
  expire(token: string): void {
    const c = this.#state.credentials;
    if (!c || c.accessToken !== token) return;
    forgetCredentials();
    this.#set({ credentials: null, expired: true, last: lastOf(c) });
  }

  signedIn(credentials: Credentials): void {
    saveCredentials(credentials);
    this.#set({ credentials, expired: false, last: lastOf(credentials) });
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  /** Forgets the token; calls waiting for one end, and the views holding user data go away. */
  signOut(): void {
    forgetCredentials();
    this.#set({ credentials: null, expired: false, last: this.#state.last });
    for (const w of this.#waiters.splice(0)) w.reject(new SignedOutError());
  }

  #set(state: AuthState): void {
    this.#state = state;
    this.#schedule();
    for (const l of this.#listeners) l(state);
  }

  /** Brings the sign-in back when the token runs out, even if nothing calls the API in the meantime. */
  #schedule(): void {
    clearTimeout(this.#timer);
    const c = this.#state.credentials;
    if (!c) return;
    // setTimeout holds at most 2^31-1 ms (about 24.8 days); Management tokens live far shorter.
    const delay = Math.min(Math.max(c.expiresAt - MARGIN_MS - Date.now(), 0), 2 ** 31 - 1);
    this.#timer = setTimeout(() => this.expire(c.accessToken), delay);
  }
}
