import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error.js';
import { SignedOutError } from '../api/api-error.js';
import type { Metadata } from '../api/types.js';
import { asApiError } from '../hooks.js';

interface Row {
  key: string;
  value: string;
}

export interface MetadataEditorProps {
  /** "Token metadata" or "Session metadata". */
  title: string;
  /** What the metadata belongs to, for screen readers: "refresh token AbC…". */
  subject: string;
  metadata: Metadata;
  canEdit: boolean;
  /** PATCHes the whole object; the API's answer replaces the shown metadata. */
  save: (metadata: Metadata) => Promise<void>;
}

/**
 * Shows metadata, and edits it as rows of key and value. Nothing is checked here that the API checks: its own
 * message (a key with a space, too many keys, a value too long) appears inline, as it wrote it.
 */
export function MetadataEditor({ title, subject, metadata, canEdit, save }: MetadataEditorProps) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const firstInput = useRef<HTMLInputElement>(null);
  const wasEditing = useRef(false);
  const id = useId();
  const entries = Object.entries(metadata);

  useLayoutEffect(() => {
    if (rows && !wasEditing.current) firstInput.current?.focus();
    if (!rows && wasEditing.current) editButton.current?.focus();
    wasEditing.current = rows !== null;
  }, [rows]);

  const start = () => {
    setError(null);
    setRows(entries.length ? entries.map(([key, value]) => ({ key, value })) : [{ key: '', value: '' }]);
  };
  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs && rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!rows) return;
    const kept = rows.filter((r) => r.key !== '' || r.value !== '');
    const keys = kept.map((r) => r.key);
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    // One thing the API cannot say: a JSON object cannot carry a key twice, so the second would silently win.
    if (twice !== undefined) return setError(`The key "${twice}" appears twice.`);
    setSaving(true);
    setError(null);
    try {
      await save(Object.fromEntries(kept.map((r) => [r.key, r.value])));
      setRows(null);
    } catch (err) {
      if (!(err instanceof SignedOutError)) setError(asApiError(err));
    } finally {
      setSaving(false);
    }
  };

  if (!rows) {
    return (
      <div class="metadata">
        {entries.length ? (
          <dl class="kv">
            {entries.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <span class="muted">None</span>
        )}
        {canEdit ? (
          <button type="button" class="small secondary" ref={editButton} onClick={start} aria-label={`Edit ${title.toLowerCase()} of ${subject}`}>
            Edit
          </button>
        ) : null}
      </div>
    );
  }

  const message = error === null ? null : typeof error === 'string' ? error : error.message;
  return (
    <form class="metadata-form" onSubmit={submit} aria-describedby={message ? `${id}-error` : undefined} noValidate>
      <fieldset disabled={saving}>
        <legend>
          {title} of {subject}
        </legend>
        {rows.map((r, i) => (
          <div class="kv-row" key={i}>
            <input
              ref={i === 0 ? firstInput : undefined}
              aria-label={`Key ${i + 1}`}
              placeholder="key"
              value={r.key}
              autocomplete="off"
              spellcheck={false}
              aria-invalid={message ? true : undefined}
              onInput={(e) => update(i, { key: e.currentTarget.value })}
            />
            <input
              aria-label={`Value ${i + 1}`}
              placeholder="value"
              value={r.value}
              autocomplete="off"
              onInput={(e) => update(i, { value: e.currentTarget.value })}
            />
            <button type="button" class="small secondary" aria-label={`Remove key ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        {message ? (
          <p class="field-error" id={`${id}-error`} role="alert">
            {message}
            {typeof error === 'object' && error ? <code>{error.errorCode}</code> : null}
          </p>
        ) : null}
        <div class="actions">
          <button type="button" class="small secondary" onClick={() => setRows([...rows, { key: '', value: '' }])}>
            Add key
          </button>
          <button type="submit" class="small">
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" class="small secondary" onClick={() => setRows(null)}>
            Cancel
          </button>
        </div>
      </fieldset>
    </form>
  );
}
