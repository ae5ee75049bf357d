import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error.js';
import { signIn } from '../api/sign-in.js';
import { useServices } from '../context.js';
import { asApiError, useAuthState } from '../hooks.js';

/** Client ID and secret of a Management API client; the secret is cleared from the form once used. */
export function SignInForm({ autoFocus }: { autoFocus: boolean }) {
  const { auth } = useServices();
  const state = useAuthState();
  const [clientId, setClientId] = useState(state.last?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  const secretInput = useRef<HTMLInputElement>(null);
  const id = useId();

  useLayoutEffect(() => {
    if (!autoFocus) return;
    (clientId ? secretInput : first).current?.focus();
    // Only when the form appears.
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!clientId.trim() || !secret) return setError('Enter the client ID and its secret.');
    setBusy(true);
    setError(null);
    try {
      const credentials = await signIn(clientId.trim(), secret);
      setSecret('');
      auth.signedIn(credentials);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  const message = error === null ? null : typeof error === 'string' ? error : error.message;
  return (
    <form class="sign-in" onSubmit={submit} noValidate aria-describedby={message ? `${id}-error` : undefined}>
      <label for={`${id}-client`}>Client ID</label>
      <input
        id={`${id}-client`}
        ref={first}
        // A modal dialog focuses its autofocus element when it opens (after this component's effects ran).
        autofocus={autoFocus && !clientId}
        name="client_id"
        autocomplete="username"
        spellcheck={false}
        value={clientId}
        onInput={(e) => setClientId(e.currentTarget.value)}
        required
      />
      <label for={`${id}-secret`}>Client secret</label>
      <input
        id={`${id}-secret`}
        ref={secretInput}
        autofocus={autoFocus && !!clientId}
        name="client_secret"
        type="password"
        autocomplete="current-password"
        value={secret}
        onInput={(e) => setSecret(e.currentTarget.value)}
        required
      />
      {message ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {message}
          {typeof error === 'object' && error && error.status !== 0 ? <code>{error.errorCode}</code> : null}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

const Explainer = () => (
  <p class="muted">
    Sign in with a Management API client (client credentials). The token stays in this tab only and is forgotten when you sign out or close it.
  </p>
);

export function SignInPage() {
  return (
    <main class="sign-in-page" id="main">
      <h1>refreshd console</h1>
      <Explainer />
      <SignInForm autoFocus />
    </main>
  );
}

/** After the token expired: over the current view, which stays as it was; only signing in (or out) closes it. */
export function SignInAgainDialog() {
  const { auth } = useServices();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useLayoutEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="sign-in-again" aria-labelledby={`${id}-title`} onCancel={(e) => e.preventDefault()}>
      <h2 id={`${id}-title`}>Your sign-in expired</h2>
      <p>Sign in again to carry on where you were.</p>
      <SignInForm autoFocus />
      <button type="button" class="link" onClick={() => auth.signOut()}>
        Sign out instead
      </button>
    </dialog>
  );
}
