import { ManagementError } from '../core/errors.js';

/**
 * The Management API's error vocabulary: one factory per Auth0 error row, so messages and codes stay identical
 * wherever they are raised. Every call builds a fresh error (never a shared, mutable instance).
 */

export function invalidBody(message: string): ManagementError {
  return new ManagementError(400, 'invalid_body', message);
}

export function invalidQueryString(message: string): ManagementError {
  return new ManagementError(400, 'invalid_query_string', message);
}

export function invalidUri(message: string): ManagementError {
  return new ManagementError(400, 'invalid_uri', message);
}

/** Auth0's wording for a cursor that is not one of ours, belongs to another query, or is too old. */
export function invalidCheckpoint(): ManagementError {
  return invalidQueryString(
    "The checkpoint ID provided in the 'from' parameter has expired or is invalid, please remove the checkpoint ID and try again",
  );
}

export function refreshTokenNotFound(): ManagementError {
  return new ManagementError(404, 'inexistent_refresh_token', 'The refresh token does not exist.');
}

export function sessionNotFound(): ManagementError {
  return new ManagementError(404, 'inexistent_session', 'The session does not exist.');
}

export function logNotFound(): ManagementError {
  return new ManagementError(404, 'inexistent_log', 'The log does not exist.');
}

/** Why a bearer token was refused; the reason is for logs, the message is what Auth0 would say. */
export type UnauthorizedReason = 'missing' | 'malformed' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'invalid_claims' | 'unknown_key' | 'revoked';

export class UnauthorizedError extends ManagementError {
  readonly reason: UnauthorizedReason;
  constructor(reason: UnauthorizedReason, message: string) {
    super(401, 'invalid_token', message);
    this.name = 'UnauthorizedError';
    this.reason = reason;
  }
}

export function unauthorized(reason: UnauthorizedReason): UnauthorizedError {
  switch (reason) {
    case 'missing':
      return new UnauthorizedError(reason, 'Missing authentication');
    case 'expired':
      return new UnauthorizedError(reason, 'Expired token received for JSON Web Token validation');
    case 'bad_signature':
      return new UnauthorizedError(reason, 'Invalid signature received for JSON Web Token validation');
    default:
      return new UnauthorizedError(reason, 'Invalid token.');
  }
}

export class InsufficientScopeError extends ManagementError {
  readonly required: readonly string[];
  constructor(required: readonly string[], mode: 'any' | 'all') {
    // Auth0's wording, e.g. "Insufficient scope, expected any of: read:refresh_tokens" (comma-joined, no spaces).
    super(403, 'insufficient_scope', `Insufficient scope, expected ${mode} of: ${required.join(',')}`);
    this.name = 'InsufficientScopeError';
    this.required = required;
  }
}
