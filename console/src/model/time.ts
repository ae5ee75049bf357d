/** The largest unit that fits, rounded: "in 45 minutes", "23 hours ago", "in 3 days". */
const STEPS: { unit: Intl.RelativeTimeFormatUnit; seconds: number; below: number }[] = [
  { unit: 'second', seconds: 1, below: 60 },
  { unit: 'minute', seconds: 60, below: 3600 },
  { unit: 'hour', seconds: 3600, below: 86_400 },
  { unit: 'day', seconds: 86_400, below: 30 * 86_400 },
  { unit: 'month', seconds: 30 * 86_400, below: 365 * 86_400 },
  { unit: 'year', seconds: 365 * 86_400, below: Infinity },
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
// The reader's own locale and time zone, with the zone named: support staff and users are rarely in one place.
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });

/** "5 minutes ago", "in 45 minutes", "tomorrow". */
export function relativeTime(iso: string, now: number): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const step = STEPS.find((s) => Math.abs(diff) < s.below) ?? STEPS[STEPS.length - 1]!;
  return relative.format(Math.round(diff / step.seconds), step.unit);
}

/** "Dec 2, 2026, 2:05:33 PM UTC" in the reader's locale. */
export function absoluteTime(iso: string): string {
  return absolute.format(new Date(iso));
}
