import type { Credentials } from '../api/credentials.js';
import { useServices } from '../context.js';
import { holds, WRITE_SCOPES } from '../model/scopes.js';

export function Header({ credentials }: { credentials: Credentials | null }) {
  const { auth } = useServices();
  const readOnly = credentials !== null && !WRITE_SCOPES.some((s) => holds(credentials.scopes, s));
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <span class="brand">refreshd console</span>
      {credentials ? (
        <div class="who">
          <span>
            Signed in as <code>{credentials.clientId}</code>
          </span>
          {readOnly ? <span class="badge">Read-only</span> : null}
          <details class="scopes">
            <summary>Scopes</summary>
            <ul>
              {credentials.scopes.map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ul>
          </details>
          <button type="button" class="secondary small" onClick={() => auth.signOut()}>
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}
