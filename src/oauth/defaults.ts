import type { RefreshTokenSettings } from '../core/types.js';

/** What Auth0's API fills in for a client created without `refresh_token` (recorded responses, surface §5.1). */
export const DEFAULT_REFRESH_TOKEN_SETTINGS: Readonly<RefreshTokenSettings> = Object.freeze({
  rotationType: 'non-rotating',
  expirationType: 'non-expiring',
  leewaySeconds: 0,
  tokenLifetimeSeconds: 2_592_000,
  infiniteTokenLifetime: true,
  idleTokenLifetimeSeconds: 1_296_000,
  infiniteIdleTokenLifetime: true,
  policies: null,
});

/** Auth0's defaults for a new client's grant types. */
export const DEFAULT_GRANT_TYPES: readonly string[] = ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'];

export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;

/** Auth0 keeps at most 200 active refresh tokens per user per application and revokes the oldest beyond. */
export const MAX_ACTIVE_FAMILIES_PER_USER_CLIENT = 200;
