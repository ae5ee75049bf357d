/** The Management API's wire shapes the console reads (Auth0's field names; see /api/v2/openapi.json). */

export type Metadata = Record<string, string>;

export interface Device {
  initial_ip: string | null;
  initial_asn: string;
  initial_user_agent: string;
  last_ip: string | null;
  last_asn: string;
  last_user_agent: string;
}

export interface RefreshToken {
  id: string;
  user_id: string;
  created_at: string;
  idle_expires_at: string | null;
  expires_at: string | null;
  device: Device;
  client_id: string;
  session_id: string | null;
  rotating: boolean;
  resource_servers: { audience: string; scopes: string }[];
  refresh_token_metadata: Metadata;
  last_exchanged_at: string | null;
}

export interface Session {
  id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  authenticated_at: string;
  idle_expires_at: string | null;
  expires_at: string | null;
  last_interacted_at: string;
  device: Device;
  clients: { client_id: string }[];
  session_metadata: Metadata;
}

export interface LogEvent {
  log_id: string;
  date: string;
  type: string;
  description: string;
  client_id: string | null;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface LogsPage {
  start: number;
  limit: number;
  length: number;
  total: number;
  logs: LogEvent[];
}

/** A page of a user's refresh tokens or sessions; `next` is the cursor of the following page. */
export interface CursorPage {
  next?: string;
}

/** Auth0's error envelope. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
}
