// The public surface of refreshd as a library. Values and types are exported separately.
export { Refreshd } from './service/refreshd.js';
export { openStore, DEFAULT_DATABASE_URL } from './store/open-store.js';
export { normalizeConfig, loadConfigFile, EMPTY_CONFIG } from './config/load-config.js';
export { loadEnv, managementAudienceFor } from './config/env.js';
export { buildApp } from './http/app.js';
export { serve } from './main.js';
export { bootstrapManagementClient } from './service/bootstrap.js';
export { OAuthError, ManagementError, StoreUnavailableError, ConfigError, INVALID_REFRESH_TOKEN } from './core/errors.js';
export { ManualClock, systemClock } from './core/clock.js';
export { REFRESH_TOKEN_PREFIX } from './tokens/refresh-token.js';
export { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE, MANAGEMENT_SCOPES } from './core/types.js';

export type { RefreshdOptions, DeviceInput } from './service/refreshd.js';
export type { Store, StoreDialect, FamilyExchange, FamilyFilter, PageRequest } from './ports/store.js';
export type { NormalizedConfig } from './config/load-config.js';
export type { FileConfig } from './config/file-schema.js';
export type { Clock } from './core/clock.js';
export type { Logger } from './core/logger.js';
export type { EventSink, SecurityEvent, SecurityEventType } from './core/events.js';
export type { TokenResponse } from './oauth/deps.js';
export type { RefreshOutcome } from './oauth/refresh.js';
export type { IssueResult } from './oauth/issuance.js';
export type { Client, Session, TokenFamily, ResourceServer, Device, Metadata } from './core/types.js';
