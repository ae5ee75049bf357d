/**
 * Security events, typed with Auth0's log type codes. They carry ids and counters, never a token or a secret.
 *  sertft / fertft  successful / failed exchange of a refresh token
 *  ferrt            failed exchange of a rotating refresh token: reuse detected, family revoked
 *  secte / fecte    successful / failed token exchange (issuance for a user)
 *  seccft / feccft  successful / failed client-credentials exchange
 *  srrt             refresh token (family) revoked
 *  sapi             successful Management API write
 */
export type SecurityEventType = 'sertft' | 'fertft' | 'ferrt' | 'secte' | 'fecte' | 'seccft' | 'feccft' | 'srrt' | 'sapi';

export interface SecurityEvent {
  type: SecurityEventType;
  date: number;
  description: string;
  clientId?: string | null;
  userId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
  /**
   * The event names nothing stored (a junk refresh token, a family that no longer exists): it is counted, but
   * stored only as one summary per type, client and details per minute, so hostile traffic cannot grow the
   * database with its request rate.
   */
  aggregate?: boolean;
}

export interface EventSink {
  emit(event: SecurityEvent): void;
}

/** An event as stored and served by GET /api/v2/logs. `logId` sorts by time. */
export interface StoredEvent extends SecurityEvent {
  logId: string;
}
