import type { RefreshTokenSettings } from '../core/types.js';

/** The absolute expiry of a new family: fixed at issuance and never moved by rotation. */
export function absoluteExpiry(s: RefreshTokenSettings, now: number): number | null {
  if (s.expirationType === 'non-expiring' || s.infiniteTokenLifetime) return null;
  return now + s.tokenLifetimeSeconds * 1000;
}

/** The idle expiry after an issuance or exchange at `now`, from the client's current settings. */
export function idleExpiry(s: RefreshTokenSettings, now: number, absolute: number | null = null): number | null {
  if (s.expirationType === 'non-expiring' || s.infiniteIdleTokenLifetime) return null;
  const idle = now + s.idleTokenLifetimeSeconds * 1000;
  return absolute !== null && absolute < idle ? absolute : idle;
}
