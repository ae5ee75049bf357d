import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, SignedOutError } from './api/api-error.js';
import type { AuthState } from './api/auth.js';
import { useServices } from './context.js';

export function useAuthState(): AuthState {
  const { auth } = useServices();
  const [state, setState] = useState(auth.state);
  useEffect(() => auth.subscribe(setState), [auth]);
  return state;
}

/** The current time, refreshed every `ms`, so relative times ("2 minutes ago") stay true on a page left open. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** The view is in the URL (#/users/{id}), so a reload, a new sign-in or the back button keeps it. */
export function useHashRoute(): { userId: string | null } {
  const read = () => {
    const m = /^#\/users\/(.+)$/.exec(location.hash);
    if (!m) return { userId: null };
    try {
      return { userId: decodeURIComponent(m[1]!) };
    } catch {
      return { userId: null };
    }
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function userHash(userId: string): string {
  return `#/users/${encodeURIComponent(userId)}`;
}

export type Loadable<T> = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ready'; value: T };

export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client_error', e instanceof Error ? e.message : String(e));
}

/**
 * Loads `load()` when `key` changes and on reload(); `set` updates the loaded value in place (after a write, the
 * view changes at once, without a new round trip).
 */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]) {
  const [data, setData] = useState<Loadable<T>>({ state: 'loading' });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    setData({ state: 'loading' });
    load().then(
      (value) => current && setData({ state: 'ready', value }),
      (e: unknown) => {
        if (current && !(e instanceof SignedOutError)) setData({ state: 'error', error: asApiError(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [...key, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const set = useCallback((update: (value: T) => T) => setData((d) => (d.state === 'ready' ? { state: 'ready', value: update(d.value) } : d)), []);
  return { data, reload, set };
}
