import { useEffect } from 'preact/hooks';
import { useAuthState, useHashRoute } from './hooks.js';
import { Header } from './views/header.js';
import { SignInAgainDialog, SignInPage } from './views/sign-in-form.js';
import { UserSearch } from './views/user-search.js';
import { UserView } from './views/user-view.js';

export function App() {
  const auth = useAuthState();
  const { userId } = useHashRoute();
  useEffect(() => {
    document.title = userId ? `${userId} · refreshd console` : 'refreshd console';
  }, [userId]);

  // Signed out (or never signed in): nothing but the sign-in. The URL keeps the user being looked at.
  if (!auth.credentials && !auth.expired) {
    return (
      <>
        <Header credentials={null} />
        <SignInPage />
      </>
    );
  }
  // Signed in, or expired: the view stays mounted, with its data and state, under the sign-in dialog.
  const scopes = auth.credentials?.scopes ?? auth.last?.scopes ?? [];
  return (
    <>
      <Header credentials={auth.credentials} />
      <main id="main" tabIndex={-1}>
        <UserSearch current={userId} />
        {userId ? <UserView key={userId} userId={userId} scopes={scopes} /> : <p class="hint">Enter a user ID to see their sessions, refresh tokens and security events.</p>}
      </main>
      {auth.expired ? <SignInAgainDialog /> : null}
    </>
  );
}
