import type { ApiError } from '../api/api-error.js';

export function Loading({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

function title(status: number): string {
  if (status === 0) return 'refreshd is unreachable';
  if (status === 403) return 'Not allowed (403)';
  if (status === 404) return 'Not found (404)';
  if (status === 429) return 'Too many requests (429)';
  if (status >= 500) return `Server error (${status})`;
  return `Refused (${status})`;
}

/** What the server said, as it said it: the API's message and its errorCode. */
export function ErrorNotice({ error, retry, context }: { error: ApiError; retry?: () => void; context?: string }) {
  return (
    <div class="notice error" role="alert">
      <p>
        <strong>{context ? `${context}: ${title(error.status).toLowerCase()}` : title(error.status)}</strong>
      </p>
      <p>
        {error.message} {error.errorCode && error.status !== 0 ? <code>{error.errorCode}</code> : null}
      </p>
      {retry ? (
        <button type="button" class="secondary" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
