import { absoluteTime, relativeTime } from '../model/time.js';

/** A moment, relative and absolute: "in 1 hour · Dec 2, 2026, 3:05:33 PM UTC". */
export function TimeText({ iso, now, none = 'Never' }: { iso: string | null; now: number; none?: string }) {
  if (!iso) return <span class="muted">{none}</span>;
  return (
    <span class="time">
      <time dateTime={iso}>{relativeTime(iso, now)}</time>
      <span class="abs">{absoluteTime(iso)}</span>
    </span>
  );
}
