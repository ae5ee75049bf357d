import type { StoredEvent } from '../core/events.js';
import type { Claims } from '../core/claims.js';
import type {
  Client,
  ClientGrant,
  GrantSubjectType,
  Metadata,
  ResourceServer,
  Session,
  SigningKey,
  TokenFamily,
} from '../core/types.js';

/** Keyset position for checkpoint pagination: rows are ordered by (createdAt, id). */
export interface PagePosition {
  createdAt: number;
  id: string;
}

export interface PageRequest {
  after?: PagePosition | undefined;
  limit: number;
}

/**
 * One refresh-token exchange as a compare-and-set: it applies only if the family is still at
 * `presentedGeneration` with `presentedHash` as its current digest, belongs to `clientId`, is not revoked and
 * not expired at `now`. Exactly one of any number of concurrent exchanges of the same token can win.
 */
export interface FamilyExchange {
  familyId: string;
  clientId: string;
  presentedGeneration: number;
  presentedHash: Buffer;
  now: number;
  /** New idle expiry; the store caps it at the family's absolute expiry, which never moves. */
  idleExpiresAt: number | null;
  rotating: boolean;
  /**
   * The successor for a rotating exchange (generation + 1); null keeps the token (non-rotating). `successorClaims`
   * are the access-token claims answered with it when a leeway retry may ask again (null: the family's claims).
   */
  next: { currentHash: Buffer; successorBox: Buffer | null; successorClaims?: Claims | null | undefined } | null;
  lastIp: string | null;
  lastUserAgent: string | null;
  /** Replaces the family's claims in the same statement (a token hook's decision); absent keeps them. */
  claims?: Claims | undefined;
  /** Replaces the family's metadata in the same statement (a token hook's decision); absent keeps it. */
  metadata?: Metadata | undefined;
  /**
   * The DPoP key thumbprint the family must still be bound to (the one the request's proof was checked against),
   * or null (or absent) for a family that must still be unbound. Part of the compare-and-set.
   */
  boundJkt?: string | null | undefined;
}

export interface FamilyFilter {
  userId?: string;
  clientId?: string;
  audience?: string;
  sessionId?: string;
  ids?: readonly string[];
}

export interface FamilyStore {
  /**
   * Inserts a family, then revokes the oldest active ones of the same user and client beyond `maxActive`.
   * `session`, when given, is a new session inserted in the same transaction, so a failure leaves neither.
   */
  createFamily(family: TokenFamily, options: { maxActive: number; now: number; session?: Session }): Promise<{ evicted: string[] }>;
  /** The compare-and-set of a refresh. Returns the updated family, or null when the CAS did not apply. */
  exchangeFamily(exchange: FamilyExchange): Promise<TokenFamily | null>;
  findFamily(id: string): Promise<TokenFamily | null>;
  /** Revokes one family; true only for the call that revoked it. */
  revokeFamily(id: string, now: number, reason: string): Promise<boolean>;
  /** Revokes every not-yet-revoked family matching the filter (which must name user, session or ids). */
  revokeFamilies(filter: FamilyFilter, now: number, reason: string): Promise<number>;
  /**
   * Revokes every not-yet-revoked family of one client, across users, in batches of `batchSize` (one short
   * statement each, so the token endpoint is never blocked): the operator's answer to a compromised client.
   */
  revokeClientFamilies(clientId: string, now: number, reason: string, batchSize?: number): Promise<number>;
  /** Active (not revoked, not expired at `now`) families, ordered by (createdAt, id). */
  listFamilies(filter: FamilyFilter, page: PageRequest, now: number): Promise<TokenFamily[]>;
  countFamilies(filter: FamilyFilter, now: number): Promise<number>;
  /** Active families across all users (for the families-active gauge). */
  countActiveFamilies(now: number): Promise<number>;
  updateFamilyMetadata(id: string, metadata: Metadata, now: number): Promise<TokenFamily | null>;
}

export interface SessionStore {
  createSession(session: Session): Promise<void>;
  findSession(id: string): Promise<Session | null>;
  /** Records that a client used the session and from where; returns the updated session. */
  touchSession(id: string, update: { clientId: string; now: number; lastIp: string | null; lastUserAgent: string | null }): Promise<Session | null>;
  updateSessionMetadata(id: string, metadata: Metadata, now: number): Promise<Session | null>;
  deleteSession(id: string): Promise<boolean>;
  /** Sessions of a user not expired at `now`, ordered by (createdAt, id). */
  listSessions(userId: string, page: PageRequest, now: number): Promise<Session[]>;
  countSessions(userId: string, now: number): Promise<number>;
  deleteSessionsOfUser(userId: string): Promise<number>;
}

export interface ClientStore {
  upsertClient(client: Client): Promise<void>;
  findClient(clientId: string): Promise<Client | null>;
  listClients(): Promise<Client[]>;
  /** Replaces the secret's digest; with `tokensValidAfter`, the client's earlier Management tokens stop working too. */
  setClientSecretHash(clientId: string, secretHash: Buffer, now: number, tokensValidAfter?: number): Promise<boolean>;
  upsertResourceServer(resourceServer: ResourceServer): Promise<void>;
  findResourceServer(identifier: string): Promise<ResourceServer | null>;
  listResourceServers(): Promise<ResourceServer[]>;
  /** Inserts or replaces the grant of (clientId, audience, subjectType); the id of an existing grant is kept. */
  upsertClientGrant(grant: ClientGrant): Promise<void>;
  findClientGrant(clientId: string, audience: string, subjectType: GrantSubjectType): Promise<ClientGrant | null>;
  listClientGrants(): Promise<ClientGrant[]>;
  /** Deletes a client and its grants (not its refresh-token families: revoke them first); true if it existed. */
  deleteClient(clientId: string): Promise<boolean>;
  /** Inserts an API; false, writing nothing, when its identifier is taken. */
  insertResourceServer(resourceServer: ResourceServer): Promise<boolean>;
  /** Deletes an API and every grant on it; true if it existed. */
  deleteResourceServer(identifier: string): Promise<boolean>;
  /** Inserts a grant; false, writing nothing, when the client has a grant of that subject type for the API. */
  insertClientGrant(grant: ClientGrant): Promise<boolean>;
  findClientGrantById(id: string): Promise<ClientGrant | null>;
  deleteClientGrant(id: string): Promise<boolean>;
}

export interface KeyStore {
  listSigningKeys(): Promise<SigningKey[]>;
  insertSigningKey(key: SigningKey): Promise<void>;
  /**
   * Atomically inserts `key` and retires at `key.activatesAt` every other key of its algorithm that would still sign
   * then, each verifying until `verifyUntil`; returns how many it retired.
   */
  rotateSigningKey(key: SigningKey & { activatesAt: number }, verifyUntil: number): Promise<number>;
  /** Returns the named server secret, creating it with `create()` if absent; all instances see the same value. */
  getOrCreateSecret(name: string, create: () => Buffer, now: number): Promise<Buffer>;
  /**
   * With a key-encryption key (REFRESHD_KEY_ENCRYPTION_KEY), encrypts in place the private keys and secrets stored
   * in plaintext before it was set, and says how many; without one, does nothing. Reads fail with a one-line
   * ConfigError for encrypted material the store has no key (or the wrong key) for.
   */
  sealKeyMaterial(): Promise<{ signingKeys: number; secrets: number }>;
}

export interface EventQuery {
  /** Checkpoint: events with a log_id greater than this one, ascending. */
  afterLogId?: string;
  /** Offset paging (search mode). */
  offset?: number;
  limit: number;
  descending?: boolean;
  type?: string;
  userId?: string;
  clientId?: string;
}

export interface EventStore {
  insertEvents(events: readonly StoredEvent[]): Promise<void>;
  findEvent(logId: string): Promise<StoredEvent | null>;
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  countEvents(query: Omit<EventQuery, 'limit' | 'offset' | 'afterLogId'>): Promise<number>;
}

/** One bounded step of garbage collection; a sweep walks the primary key in order, so no extra index is needed. */
export interface GcStep {
  /** Continue after this primary key; null starts from the beginning. */
  afterId: string | null;
  scanLimit: number;
  now: number;
  /** Rows dead (revoked or expired) before this instant are removed. */
  deadBefore: number;
}

export interface GcResult {
  /** The last key scanned, or null when the sweep reached the end. */
  nextAfterId: string | null;
  deleted: number;
}

export interface GcStore {
  /** Deletes families revoked or expired before `deadBefore` among the next `scanLimit` by id. */
  gcFamilies(step: GcStep): Promise<GcResult>;
  /** Deletes sessions expired before `deadBefore`, or idle since `staleBefore` with no active family. */
  gcSessions(step: GcStep & { staleBefore: number }): Promise<GcResult>;
  /** Deletes up to `limit` events older than `before`; returns how many. */
  deleteEventsBefore(before: number, limit: number): Promise<number>;
}

export type StoreDialect = 'sqlite' | 'postgres';

export interface MigrationReport {
  /** Migrations this build does not know, applied by a newer release. */
  newer: string[];
}

/** Called after every store operation with its name, duration and whether it succeeded (for metrics). */
export type QueryObserver = (operation: string, seconds: number, ok: boolean) => void;

export interface Store extends FamilyStore, SessionStore, ClientStore, KeyStore, EventStore, GcStore {
  readonly dialect: StoreDialect;
  /** Installs a timing observer for every operation (one per store; null removes it). */
  observeQueries(observer: QueryObserver | null): void;
  /**
   * Applies pending migrations; safe to run from several processes at once. A database already migrated by a
   * newer release (its migrations all after this build's) is left as it is and named in the result, so an old
   * instance restarting during a rolling upgrade still starts; anything else unknown is refused.
   */
  migrate(): Promise<MigrationReport>;
  /** Cheap round trip used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
