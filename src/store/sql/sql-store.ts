import { Migrator, sql, type Kysely } from 'kysely';
import { ConfigError } from '../../core/errors.js';
import type { Client, ClientGrant, GrantSubjectType, Metadata, ResourceServer, Session, SigningKey, TokenFamily } from '../../core/types.js';
import type { StoredEvent } from '../../core/events.js';
import type { EventQuery, FamilyExchange, FamilyFilter, GcStep, MigrationReport, PageRequest, QueryObserver, Store, StoreDialect } from '../../ports/store.js';
import * as clients from './client-queries.js';
import type { Database } from './database.js';
import { columnTypes } from './dialect.js';
import * as families from './family-queries.js';
import * as keys from './key-queries.js';
import { MIGRATION_NAMES, migrationProvider } from './migrations/index.js';
import * as sessions from './session-queries.js';
import * as events from './event-queries.js';
import * as gc from './gc-queries.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { guard } from './store-errors.js';
import type { KeyCipher } from '../key-cipher.js';

const MIGRATION_TABLE = 'refreshd_migration';

/**
 * A lookup key no row can have: PostgreSQL text cannot hold NUL, and it answers such a parameter with an error
 * (22021) rather than "no row". Both stores treat it as not found, so hostile input never becomes a 500.
 */
const unstorable = (key: string) => key.includes('\u0000');

/** The Store on Kysely: every method is one query function, guarded so outages surface as StoreUnavailableError. */
export class SqlStore implements Store {
  readonly dialect: StoreDialect;
  readonly db: Kysely<Database>;

  #observer: QueryObserver | null = null;
  /** SQLite: the reads and compare-and-sets of one event-loop turn share one transaction (see SqliteGroupCommit). */
  readonly #groupCommit: SqliteGroupCommit | null;

  /** Seals private key material at rest (REFRESHD_KEY_ENCRYPTION_KEY); null stores it as it is. */
  readonly #keyCipher: KeyCipher | null;

  constructor(db: Kysely<Database>, dialect: StoreDialect, options: { keyCipher?: KeyCipher | null } = {}) {
    this.db = db;
    this.dialect = dialect;
    this.#keyCipher = options.keyCipher ?? null;
    this.#groupCommit = dialect === 'sqlite' ? new SqliteGroupCommit(db) : null;
  }

  /** Installs a timing observer (one per store). */
  observeQueries(observer: QueryObserver | null): void {
    this.#observer = observer;
  }

  async #run<T>(operation: string, op: () => Promise<T>): Promise<T> {
    const observer = this.#observer;
    if (!observer) return guard(op);
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      const r = await guard(op);
      ok = true;
      return r;
    } finally {
      observer(operation, Number(process.hrtime.bigint() - start) / 1e9, ok);
    }
  }

  async migrate(): Promise<MigrationReport> {
    const executed = await this.#executedMigrations();
    const unknown = executed.filter((name) => !MIGRATION_NAMES.includes(name));
    if (unknown.length > 0) {
      // A newer release migrated this database. Its migrations come after all of ours and, within a major
      // version, only add (columns with defaults, tables, indexes), so this build runs on that schema as it is:
      // an old instance restarting mid-rollout must not fail. Anything else is a schema this build cannot know.
      const newest = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;
      if (MIGRATION_NAMES.every((name) => executed.includes(name)) && unknown.every((name) => name > newest)) {
        return { newer: unknown.sort() };
      }
      throw new ConfigError(
        `the database holds migrations this refreshd does not know (${unknown.sort().join(', ').slice(0, 300)}) and lacks some it does; run the release that migrated it`,
      );
    }
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(columnTypes(this.dialect)),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: 'refreshd_migration_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error');
      throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, {
        cause: error,
      });
    }
    return { newer: [] };
  }

  /** Names in the migration table; none on a database never migrated. */
  async #executedMigrations(): Promise<string[]> {
    const tables = await this.db.introspection.getTables();
    if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
    const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(this.db);
    return rows.rows.map((r) => r.name);
  }

  ping(): Promise<void> {
    return this.#run('ping', async () => {
      await sql`select 1`.execute(this.db);
    });
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  createFamily(family: TokenFamily, options: { maxActive: number; now: number; session?: Session }) {
    return this.#run('createFamily', () => families.createFamily(this.db, family, options));
  }
  exchangeFamily(exchange: FamilyExchange) {
    const group = this.#groupCommit;
    return this.#run('exchangeFamily', () => families.exchangeFamily(this.db, exchange, group ? (q) => group.execute(q) : undefined));
  }
  findFamily(id: string) {
    if (unstorable(id)) return Promise.resolve(null);
    const group = this.#groupCommit;
    return this.#run('findFamily', () => families.findFamily(this.db, id, group ? (q) => group.execute(q) : undefined));
  }
  revokeFamily(id: string, now: number, reason: string) {
    return this.#run('revokeFamily', () => families.revokeFamily(this.db, id, now, reason));
  }
  revokeFamilies(filter: FamilyFilter, now: number, reason: string) {
    return this.#run('revokeFamilies', () => families.revokeFamilies(this.db, filter, now, reason));
  }
  async revokeClientFamilies(clientId: string, now: number, reason: string, batchSize = 1000) {
    // Keyset over the primary key: one pass over the table in all, however many batches.
    let total = 0;
    let after = '';
    for (;;) {
      const step = await this.#run('revokeClientFamilies', () => families.revokeClientFamiliesAfter(this.db, clientId, after, now, reason, batchSize));
      total += step.revoked;
      if (step.lastId === null) return total;
      after = step.lastId;
    }
  }
  listFamilies(filter: FamilyFilter, page: PageRequest, now: number) {
    return this.#run('listFamilies', () => families.listFamilies(this.db, filter, page, now));
  }
  countFamilies(filter: FamilyFilter, now: number) {
    return this.#run('countFamilies', () => families.countFamilies(this.db, filter, now));
  }
  countActiveFamilies(now: number) {
    return this.#run('countActiveFamilies', () => families.countActiveFamilies(this.db, now));
  }
  updateFamilyMetadata(id: string, metadata: Metadata, now: number) {
    return this.#run('updateFamilyMetadata', () => families.updateFamilyMetadata(this.db, id, metadata, now));
  }

  createSession(session: Session) {
    return this.#run('createSession', () => sessions.createSession(this.db, session));
  }
  findSession(id: string) {
    if (unstorable(id)) return Promise.resolve(null);
    return this.#run('findSession', () => sessions.findSession(this.db, id));
  }
  touchSession(id: string, update: { clientId: string; now: number; lastIp: string | null; lastUserAgent: string | null }) {
    return this.#run('touchSession', () => sessions.touchSession(this.db, id, update));
  }
  updateSessionMetadata(id: string, metadata: Metadata, now: number) {
    return this.#run('updateSessionMetadata', () => sessions.updateSessionMetadata(this.db, id, metadata, now));
  }
  deleteSession(id: string) {
    return this.#run('deleteSession', () => sessions.deleteSession(this.db, id));
  }
  listSessions(userId: string, page: PageRequest, now: number) {
    return this.#run('listSessions', () => sessions.listSessions(this.db, userId, page, now));
  }
  countSessions(userId: string, now: number) {
    return this.#run('countSessions', () => sessions.countSessions(this.db, userId, now));
  }
  deleteSessionsOfUser(userId: string) {
    return this.#run('deleteSessionsOfUser', () => sessions.deleteSessionsOfUser(this.db, userId));
  }

  upsertClient(client: Client) {
    return this.#run('upsertClient', () => clients.upsertClient(this.db, client));
  }
  findClient(clientId: string) {
    if (unstorable(clientId)) return Promise.resolve(null);
    return this.#run('findClient', () => clients.findClient(this.db, clientId));
  }
  listClients() {
    return this.#run('listClients', () => clients.listClients(this.db));
  }
  setClientSecretHash(clientId: string, secretHash: Buffer, now: number, tokensValidAfter?: number) {
    return this.#run('setClientSecretHash', () => clients.setClientSecretHash(this.db, clientId, secretHash, now, tokensValidAfter));
  }
  upsertResourceServer(rs: ResourceServer) {
    return this.#run('upsertResourceServer', () => clients.upsertResourceServer(this.db, rs));
  }
  findResourceServer(identifier: string) {
    if (unstorable(identifier)) return Promise.resolve(null);
    return this.#run('findResourceServer', () => clients.findResourceServer(this.db, identifier));
  }
  listResourceServers() {
    return this.#run('listResourceServers', () => clients.listResourceServers(this.db));
  }
  upsertClientGrant(grant: ClientGrant) {
    return this.#run('upsertClientGrant', () => clients.upsertClientGrant(this.db, grant));
  }
  findClientGrant(clientId: string, audience: string, subjectType: GrantSubjectType) {
    if (unstorable(clientId) || unstorable(audience)) return Promise.resolve(null);
    return this.#run('findClientGrant', () => clients.findClientGrant(this.db, clientId, audience, subjectType));
  }
  listClientGrants() {
    return this.#run('listClientGrants', () => clients.listClientGrants(this.db));
  }
  deleteClient(clientId: string) {
    if (unstorable(clientId)) return Promise.resolve(false);
    return this.#run('deleteClient', () => clients.deleteClient(this.db, clientId));
  }
  insertResourceServer(rs: ResourceServer) {
    return this.#run('insertResourceServer', () => clients.insertResourceServer(this.db, rs));
  }
  deleteResourceServer(identifier: string) {
    if (unstorable(identifier)) return Promise.resolve(false);
    return this.#run('deleteResourceServer', () => clients.deleteResourceServer(this.db, identifier));
  }
  insertClientGrant(grant: ClientGrant) {
    return this.#run('insertClientGrant', () => clients.insertClientGrant(this.db, grant));
  }
  findClientGrantById(id: string) {
    if (unstorable(id)) return Promise.resolve(null);
    return this.#run('findClientGrantById', () => clients.findClientGrantById(this.db, id));
  }
  deleteClientGrant(id: string) {
    if (unstorable(id)) return Promise.resolve(false);
    return this.#run('deleteClientGrant', () => clients.deleteClientGrant(this.db, id));
  }

  listSigningKeys() {
    return this.#run('listSigningKeys', () => keys.listSigningKeys(this.db, this.#keyCipher));
  }
  insertSigningKey(key: SigningKey) {
    return this.#run('insertSigningKey', () => keys.insertSigningKey(this.db, key, this.#keyCipher));
  }
  rotateSigningKey(key: SigningKey & { activatesAt: number }, verifyUntil: number) {
    return this.#run('rotateSigningKey', () => keys.rotateSigningKey(this.db, key, verifyUntil, this.#keyCipher));
  }
  getOrCreateSecret(name: string, create: () => Buffer, now: number) {
    return this.#run('getOrCreateSecret', () => keys.getOrCreateSecret(this.db, name, create, now, this.#keyCipher));
  }
  async sealKeyMaterial() {
    const cipher = this.#keyCipher;
    if (!cipher) return { signingKeys: 0, secrets: 0 };
    return this.#run('sealKeyMaterial', () => keys.sealKeyMaterial(this.db, cipher));
  }

  insertEvents(list: readonly StoredEvent[]) {
    return this.#run('insertEvents', () => events.insertEvents(this.db, list));
  }
  findEvent(logId: string) {
    return this.#run('findEvent', () => events.findEvent(this.db, logId));
  }
  listEvents(query: EventQuery) {
    return this.#run('listEvents', () => events.listEvents(this.db, query));
  }
  countEvents(query: Omit<EventQuery, 'limit' | 'offset' | 'afterLogId'>) {
    return this.#run('countEvents', () => events.countEvents(this.db, query));
  }

  gcFamilies(step: GcStep) {
    return this.#run('gcFamilies', () => gc.gcFamilies(this.db, step));
  }
  gcSessions(step: GcStep & { staleBefore: number }) {
    return this.#run('gcSessions', () => gc.gcSessions(this.db, step));
  }
  deleteEventsBefore(before: number, limit: number) {
    return this.#run('deleteEventsBefore', () => gc.deleteEventsBefore(this.db, before, limit));
  }
}
