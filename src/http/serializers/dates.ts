/** Epoch milliseconds inside, ISO 8601 on the wire (Auth0 sends e.g. 2024-05-01T13:00:30.038Z). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoDateOrNull(ms: number | null): string | null {
  return ms === null ? null : isoDate(ms);
}
