import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error.js';
import { SignedOutError } from '../api/api-error.js';
import { asApiError } from '../hooks.js';
import { ErrorNotice } from './status.js';

export interface ConfirmDialogProps {
  title: string;
  /** What will end, named. */
  children: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * A modal <dialog>: the browser keeps focus inside it and Escape cancels. Focus starts on Cancel, so a stray Enter
 * ends nothing; on close it returns to the control that opened it, or to the page's heading if that is gone.
 */
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();

  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.showModal();
    cancel.current?.focus();
    return () => {
      // The control that opened it may be gone (its token was just revoked): then the page's heading takes focus.
      if (opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    };
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      ref.current?.close();
      onClose();
    } catch (e) {
      if (!(e instanceof SignedOutError)) setError(asApiError(e));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      {error ? <ErrorNotice error={error} /> : null}
      <div class="actions">
        <button type="button" class="secondary" ref={cancel} disabled={busy} onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
