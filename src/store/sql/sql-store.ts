import { Migrator, sql, type Kysely } from 'kysely';
import type { Client, ClientGrant, Metadata, ResourceServer, Session, SigningKey, TokenFamily } from '../../core/types.js';
import type { FamilyExchange, FamilyFilter, PageRequest, Store, StoreDialect } from '../../ports/store.js';
import * as clients from './client-queries.js';
import type { Database } from './database.js';
import { columnTypes } from './dialect.js';
import * as families from './family-queries.js';
import * as keys from './key-queries.js';
import { migrationProvider } from './migrations/index.js';
import * as sessions from './session-queries.js';
import { guard } from './store-errors.js';

/**
 * A lookup key no row can have: PostgreSQL text cannot hold NUL, and it answers such a parameter with an error
 * (22021) rather than "no row". Both stores treat it as not found, so hostile input never becomes a 500.
 */
const unstorable = (key: string) => key.includes('\u0000');

/** The Store on Kysely: every method is one query function, guarded so outages surface as StoreUnavailableError. */
export class SqlStore implements Store {
  readonly dialect: StoreDialect;
  readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>, dialect: StoreDialect) {
    this.db = db;
    this.dialect = dialect;
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(columnTypes(this.dialect)),
      migrationTableName: 'refreshd_migration',
      migrationLockTableName: 'refreshd_migration_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error');
      throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, {
        cause: error,
      });
    }
  }

  ping(): Promise<void> {
    return guard(async () => {
      await sql`select 1`.execute(this.db);
    });
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  createFamily(family: TokenFamily, options: { maxActive: number; now: number }) {
    return guard(() => families.createFamily(this.db, family, options));
  }
  exchangeFamily(exchange: FamilyExchange) {
    return guard(() => families.exchangeFamily(this.db, exchange));
  }
  findFamily(id: string) {
    if (unstorable(id)) return Promise.resolve(null);
    return guard(() => families.findFamily(this.db, id));
  }
  revokeFamily(id: string, now: number, reason: string) {
    return guard(() => families.revokeFamily(this.db, id, now, reason));
  }
  revokeFamilies(filter: FamilyFilter, now: number, reason: string) {
    return guard(() => families.revokeFamilies(this.db, filter, now, reason));
  }
  listFamilies(filter: FamilyFilter, page: PageRequest, now: number) {
    return guard(() => families.listFamilies(this.db, filter, page, now));
  }
  countFamilies(filter: FamilyFilter, now: number) {
    return guard(() => families.countFamilies(this.db, filter, now));
  }
  updateFamilyMetadata(id: string, metadata: Metadata, now: number) {
    return guard(() => families.updateFamilyMetadata(this.db, id, metadata, now));
  }

  createSession(session: Session) {
    return guard(() => sessions.createSession(this.db, session));
  }
  findSession(id: string) {
    if (unstorable(id)) return Promise.resolve(null);
    return guard(() => sessions.findSession(this.db, id));
  }
  touchSession(id: string, update: { clientId: string; now: number; lastIp: string | null; lastUserAgent: string | null }) {
    return guard(() => sessions.touchSession(this.db, id, update));
  }
  updateSessionMetadata(id: string, metadata: Metadata, now: number) {
    return guard(() => sessions.updateSessionMetadata(this.db, id, metadata, now));
  }
  deleteSession(id: string) {
    return guard(() => sessions.deleteSession(this.db, id));
  }
  listSessions(userId: string, page: PageRequest, now: number) {
    return guard(() => sessions.listSessions(this.db, userId, page, now));
  }
  countSessions(userId: string, now: number) {
    return guard(() => sessions.countSessions(this.db, userId, now));
  }
  deleteSessionsOfUser(userId: string) {
    return guard(() => sessions.deleteSessionsOfUser(this.db, userId));
  }

  upsertClient(client: Client) {
    return guard(() => clients.upsertClient(this.db, client));
  }
  findClient(clientId: string) {
    if (unstorable(clientId)) return Promise.resolve(null);
    return guard(() => clients.findClient(this.db, clientId));
  }
  listClients() {
    return guard(() => clients.listClients(this.db));
  }
  setClientSecretHash(clientId: string, secretHash: Buffer, now: number) {
    return guard(() => clients.setClientSecretHash(this.db, clientId, secretHash, now));
  }
  upsertResourceServer(rs: ResourceServer) {
    return guard(() => clients.upsertResourceServer(this.db, rs));
  }
  findResourceServer(identifier: string) {
    if (unstorable(identifier)) return Promise.resolve(null);
    return guard(() => clients.findResourceServer(this.db, identifier));
  }
  listResourceServers() {
    return guard(() => clients.listResourceServers(this.db));
  }
  upsertClientGrant(grant: ClientGrant) {
    return guard(() => clients.upsertClientGrant(this.db, grant));
  }
  findClientGrant(clientId: string, audience: string) {
    if (unstorable(clientId) || unstorable(audience)) return Promise.resolve(null);
    return guard(() => clients.findClientGrant(this.db, clientId, audience));
  }
  listClientGrants() {
    return guard(() => clients.listClientGrants(this.db));
  }

  listSigningKeys() {
    return guard(() => keys.listSigningKeys(this.db));
  }
  insertSigningKey(key: SigningKey) {
    return guard(() => keys.insertSigningKey(this.db, key));
  }
  retireSigningKeys(alg: string, exceptKid: string, now: number, verifyUntil: number) {
    return guard(() => keys.retireSigningKeys(this.db, alg, exceptKid, now, verifyUntil));
  }
  getOrCreateSecret(name: string, create: () => Buffer, now: number) {
    return guard(() => keys.getOrCreateSecret(this.db, name, create, now));
  }
}
