import { useEffect, useId, useState } from 'preact/hooks';
import { userHash } from '../hooks.js';

/** Finds a user by id (as the application knows it, e.g. auth0|64f…). */
export function UserSearch({ current }: { current: string | null }) {
  const [value, setValue] = useState(current ?? '');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  useEffect(() => setValue(current ?? ''), [current]);
  const submit = (e: Event) => {
    e.preventDefault();
    const userId = value.trim();
    if (!userId) return setError('Enter a user ID.');
    setError(null);
    location.hash = userHash(userId);
  };
  return (
    <form class="search" role="search" onSubmit={submit} noValidate>
      <label for={`${id}-user`}>User ID</label>
      <div class="search-row">
        <input
          id={`${id}-user`}
          name="user_id"
          value={value}
          placeholder="auth0|…"
          autocomplete="off"
          spellcheck={false}
          aria-describedby={error ? `${id}-error` : undefined}
          aria-invalid={error ? true : undefined}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Find</button>
      </div>
      {error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
