/** Row types of every table, as the drivers return them (booleans may come back as 0/1 from SQLite). */

type Bool = number | boolean;

export interface TokenFamiliesTable {
  id: string;
  user_id: string;
  client_id: string;
  session_id: string | null;
  audience: string;
  scope: string;
  generation: number;
  rotating: Bool;
  current_hash: Buffer;
  previous_hash: Buffer | null;
  successor_box: Buffer | null;
  created_at: number;
  rotated_at: number | null;
  last_exchanged_at: number | null;
  idle_expires_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  initial_ip: string | null;
  initial_user_agent: string | null;
  last_ip: string | null;
  last_user_agent: string | null;
  metadata: string | null;
  claims: string | null;
  successor_claims: string | null;
  dpop_jkt: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  updated_at: number;
  authenticated_at: number;
  last_interacted_at: number;
  idle_expires_at: number | null;
  expires_at: number | null;
  initial_ip: string | null;
  initial_user_agent: string | null;
  last_ip: string | null;
  last_user_agent: string | null;
  clients: string;
  metadata: string | null;
}

export interface ClientsTable {
  client_id: string;
  name: string;
  secret_hash: Buffer | null;
  token_endpoint_auth_method: string;
  grant_types: string;
  ip_header_trusted: Bool;
  refresh_token: string;
  web_origins: string;
  token_exchange_targets: string;
  require_pop: Bool;
  require_dpop_nonce: Bool | null;
  tokens_valid_after: number | null;
  created_at: number;
  updated_at: number;
}

export interface ResourceServersTable {
  identifier: string;
  name: string;
  scopes: string;
  allow_offline_access: Bool;
  token_lifetime: number;
  signing_alg: string;
  is_system: Bool;
  proof_of_possession: string | null;
}

export interface ClientGrantsTable {
  id: string;
  client_id: string;
  audience: string;
  scope: string;
}

/** Client grants with `subject_type: user` (token exchange); `client_grants` holds the `client` ones. */
export type UserClientGrantsTable = ClientGrantsTable;

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  /** Null: signs from its creation (a first key, or one written before 2026_12_02_1200). */
  activates_at: number | null;
  retired_at: number | null;
  verify_until: number | null;
}

export interface ServerSecretsTable {
  name: string;
  value: Buffer;
  created_at: number;
}

export interface SecurityEventsTable {
  log_id: string;
  date: number;
  type: string;
  description: string;
  client_id: string | null;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string | null;
}

export interface Database {
  token_families: TokenFamiliesTable;
  sessions: SessionsTable;
  clients: ClientsTable;
  resource_servers: ResourceServersTable;
  client_grants: ClientGrantsTable;
  user_client_grants: UserClientGrantsTable;
  signing_keys: SigningKeysTable;
  server_secrets: ServerSecretsTable;
  security_events: SecurityEventsTable;
}
