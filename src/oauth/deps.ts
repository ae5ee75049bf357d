import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TokenHookRunner } from '../hooks/token-hook.js';
import type { FamilyStore, SessionStore } from '../ports/store.js';
import type { AccessTokenIssuer } from '../tokens/access-token.js';
import type { RefreshTokenCodec } from '../tokens/refresh-token.js';
import type { DpopVerifier } from '../dpop/dpop-verifier.js';
import type { Directory } from './directory.js';

/**
 * The slice of the store the grants and revocation use: families and the sessions they attach to. Typed
 * narrowly so a grant cannot reach for anything else, and so unit tests can give it a small fake.
 */
export type GrantStore = Pick<FamilyStore, 'findFamily' | 'exchangeFamily' | 'revokeFamily' | 'createFamily'> &
  Pick<SessionStore, 'findSession' | 'touchSession' | 'createSession'>;

/** Everything a grant may use, passed explicitly. */
export interface OAuthDeps {
  store: GrantStore;
  clock: Clock;
  directory: Directory;
  codec: RefreshTokenCodec;
  /** Mints access tokens; `issued` recognises one of ours (revocation). */
  accessTokens: Pick<AccessTokenIssuer, 'mint' | 'issued'>;
  events: EventSink;
  logger: Logger;
  managementAudience: string;
  maxFamiliesPerUserClient: number;
  /** The application's token hook, consulted before anything is written; null when none is configured. */
  tokenHook: TokenHookRunner | null;
  /** Checks the `DPoP` proof of a token request (RFC 9449). */
  dpop: Pick<DpopVerifier, 'verify' | 'nonce'>;
}

/** RFC 6749 §5.1 (plus RFC 8693's issued_token_type for token exchange). */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to a DPoP key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  issued_token_type?: string;
}
