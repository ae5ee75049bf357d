/** RFC 6749 §5.2 error codes plus the ones Auth0 and RFC 7009 add. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'too_many_requests'
  | 'temporarily_unavailable'
  | 'server_error'
  /** RFC 9449 §7.1: the DPoP proof is missing where required, malformed, or fails a check. */
  | 'invalid_dpop_proof'
  /** RFC 9449 §8: retry with the nonce in the `DPoP-Nonce` header of this answer. */
  | 'use_dpop_nonce';

/** Status per code, as Auth0 answers them (invalid_grant for refresh tokens is 403 on Auth0, not RFC's 400). */
const OAUTH_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 403,
  invalid_scope: 400,
  unauthorized_client: 403,
  unsupported_grant_type: 400,
  unsupported_token_type: 400,
  access_denied: 403,
  too_many_requests: 429,
  temporarily_unavailable: 503,
  server_error: 500,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
};

export interface OAuthErrorOptions {
  /** For operators: logged, never sent. */
  detail?: string;
  status?: number;
  cause?: unknown;
  /** Response headers the error needs (the `DPoP-Nonce` of a `use_dpop_nonce`). */
  headers?: Readonly<Record<string, string>>;
}

/** A protocol error whose `description` is safe to show to the client. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly detail: string | undefined;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(error: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${error}: ${description}`, { cause: options.cause });
    this.name = 'OAuthError';
    this.error = error;
    this.description = description;
    this.detail = options.detail;
    this.status = options.status ?? OAUTH_STATUS[error];
    this.headers = options.headers ?? {};
  }
}

/** The single description Auth0 uses for every unusable refresh token: it reveals nothing about why. */
export const INVALID_REFRESH_TOKEN = 'Unknown or invalid refresh token.';

export function invalidRefreshToken(detail: string): OAuthError {
  return new OAuthError('invalid_grant', INVALID_REFRESH_TOKEN, { detail });
}

/** An error of the Management API, rendered in Auth0's envelope {statusCode, error, message, errorCode}. */
export class ManagementError extends Error {
  readonly statusCode: number;
  readonly errorCode: string;

  constructor(statusCode: number, errorCode: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ManagementError';
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }
}

/** The database cannot be reached or timed out; rendered as 503 so clients retry. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Bad configuration, reported at boot as one line naming the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
