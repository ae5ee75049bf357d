import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.js';
import type { SecurityEvent } from '../../src/core/events.js';
import { isLiveFamily, isLiveSession } from '../../src/core/liveness.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Client, ClientGrant, GrantSubjectType, RefreshTokenSettings, ResourceServer, Session, TokenFamily } from '../../src/core/types.js';
import type { GrantStore, OAuthDeps } from '../../src/oauth/deps.js';
import { Directory, type DirectorySource } from '../../src/oauth/directory.js';
import type { FamilyExchange } from '../../src/ports/store.js';
import type { AccessTokenClaims } from '../../src/tokens/access-token.js';
import { RefreshTokenCodec } from '../../src/tokens/refresh-token.js';

const copy = <T>(x: T): T => structuredClone(x);

/**
 * The grants' store slice in memory, with the same compare-and-set rule as the SQL store (and the same liveness
 * rule, from core/liveness.ts). Every write is counted, so a test can say "nothing was written". `beforeExchange`
 * runs between a grant's read and its compare-and-set, to stage a concurrent request winning the race.
 */
export class FakeGrantStore implements GrantStore {
  readonly families = new Map<string, TokenFamily>();
  readonly sessions = new Map<string, Session>();
  readonly writes: string[] = [];
  beforeExchange: (() => void) | null = null;

  async findFamily(id: string): Promise<TokenFamily | null> {
    const f = this.families.get(id);
    return f ? copy(f) : null;
  }

  async exchangeFamily(x: FamilyExchange): Promise<TokenFamily | null> {
    this.beforeExchange?.();
    this.beforeExchange = null;
    const f = this.families.get(x.familyId);
    if (!f || f.clientId !== x.clientId || f.generation !== x.presentedGeneration || !f.currentHash.equals(x.presentedHash) || !isLiveFamily(f, x.now) || f.dpopJkt !== (x.boundJkt ?? null)) {
      return null;
    }
    this.writes.push('exchangeFamily');
    if (x.next) {
      f.previousHash = x.presentedHash;
      f.currentHash = x.next.currentHash;
      f.successorBox = x.next.successorBox;
      f.successorClaims = x.next.successorClaims ?? null;
      f.generation += 1;
      f.rotatedAt = x.now;
    }
    f.rotating = x.rotating;
    f.lastExchangedAt = x.now;
    f.idleExpiresAt = x.idleExpiresAt === null ? null : f.expiresAt !== null && f.expiresAt < x.idleExpiresAt ? f.expiresAt : x.idleExpiresAt;
    f.device = { ...f.device, lastIp: x.lastIp, lastUserAgent: x.lastUserAgent };
    if (x.claims !== undefined) f.claims = x.claims;
    if (x.metadata !== undefined) f.metadata = x.metadata;
    return copy(f);
  }

  async revokeFamily(id: string, now: number, reason: string): Promise<boolean> {
    const f = this.families.get(id);
    if (!f || f.revokedAt !== null) return false;
    this.writes.push(`revokeFamily:${reason}`);
    f.revokedAt = now;
    f.revokedReason = reason;
    return true;
  }

  async createFamily(family: TokenFamily, options: { maxActive: number; now: number; session?: Session }): Promise<{ evicted: string[] }> {
    this.writes.push('createFamily');
    if (options.session) this.sessions.set(options.session.id, copy(options.session));
    this.families.set(family.id, copy(family));
    const active = [...this.families.values()]
      .filter((f) => f.userId === family.userId && f.clientId === family.clientId && isLiveFamily(f, options.now))
      .sort((a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : 1));
    const evicted = active.slice(options.maxActive).map((f) => f.id);
    for (const id of evicted) Object.assign(this.families.get(id)!, { revokedAt: options.now, revokedReason: 'limit' });
    return { evicted };
  }

  async findSession(id: string): Promise<Session | null> {
    const s = this.sessions.get(id);
    return s ? copy(s) : null;
  }

  async touchSession(id: string, u: { clientId: string; now: number; lastIp: string | null; lastUserAgent: string | null }): Promise<Session | null> {
    const s = this.sessions.get(id);
    if (!s || !isLiveSession(s, u.now)) return null;
    this.writes.push('touchSession');
    if (!s.clients.includes(u.clientId)) s.clients.push(u.clientId);
    s.lastInteractedAt = u.now;
    s.device = { ...s.device, lastIp: u.lastIp, lastUserAgent: u.lastUserAgent };
    return copy(s);
  }

  async createSession(session: Session): Promise<void> {
    this.writes.push('createSession');
    this.sessions.set(session.id, copy(session));
  }
}

/** Clients, APIs and grants for the directory, set directly by tests. */
export class FakeDirectorySource implements DirectorySource {
  readonly clients = new Map<string, Client>();
  readonly apis = new Map<string, ResourceServer>();
  readonly grants: ClientGrant[] = [];
  async findClient(id: string) {
    return this.clients.get(id) ?? null;
  }
  async findResourceServer(id: string) {
    return this.apis.get(id) ?? null;
  }
  async findClientGrant(clientId: string, audience: string, subjectType: GrantSubjectType) {
    return this.grants.find((g) => g.clientId === clientId && g.audience === audience && g.subjectType === subjectType) ?? null;
  }
  async listClients() {
    return [...this.clients.values()];
  }
}

export interface MintCall {
  claims: AccessTokenClaims;
  alg: string;
  lifetimeSeconds: number;
}

export const API = 'https://api.unit.test';
export const OTHER_API = 'https://other.unit.test';

export const rotating: RefreshTokenSettings = {
  rotationType: 'rotating',
  expirationType: 'expiring',
  leewaySeconds: 0,
  tokenLifetimeSeconds: 86_400,
  infiniteTokenLifetime: false,
  idleTokenLifetimeSeconds: 3_600,
  infiniteIdleTokenLifetime: false,
  policies: null,
};

export function clientRecord(clientId: string, o: Partial<Client> = {}): Client {
  return {
    clientId,
    name: clientId,
    secretHash: null,
    tokenEndpointAuthMethod: 'client_secret_post',
    grantTypes: ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange', 'client_credentials'],
    isTokenEndpointIpHeaderTrusted: false,
    refreshToken: rotating,
    webOrigins: [],
    tokenExchangeTargetClients: [],
    requireProofOfPossession: false,
    requireDpopNonce: null,
    createdAt: 0,
    updatedAt: 0,
    ...o,
  };
}

export function apiRecord(identifier: string, scopes: string[], o: Partial<ResourceServer> = {}): ResourceServer {
  return { identifier, name: identifier, scopes, allowOfflineAccess: true, tokenLifetimeSeconds: 600, signingAlg: 'ES256', isSystem: false, proofOfPossession: null, ...o };
}

/** A grant's whole world in memory: fake store and directory source, manual clock, a minter that records its calls. */
export interface GrantHarness {
  deps: OAuthDeps;
  store: FakeGrantStore;
  source: FakeDirectorySource;
  clock: ManualClock;
  events: SecurityEvent[];
  minted: MintCall[];
  codec: RefreshTokenCodec;
}

export function grantHarness(): GrantHarness {
  const store = new FakeGrantStore();
  const source = new FakeDirectorySource();
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const events: SecurityEvent[] = [];
  const minted: MintCall[] = [];
  const codec = new RefreshTokenCodec(randomBytes(32));
  source.apis.set(API, apiRecord(API, ['read:data', 'write:data']));
  source.apis.set(OTHER_API, apiRecord(OTHER_API, ['other:read']));
  const deps: OAuthDeps = {
    store,
    clock,
    // No caching across a test's own changes: every read goes to the source.
    directory: new Directory(source, clock, { ttlMs: 0 }),
    codec,
    tokenHook: null,
    accessTokens: {
      async mint(claims, options) {
        minted.push({ claims, alg: options.alg, lifetimeSeconds: options.lifetimeSeconds });
        return { token: `at-${minted.length}`, expiresIn: options.lifetimeSeconds };
      },
      async issued(token) {
        return /^at-\d+$/.test(token);
      },
    },
    events: { emit: (e) => events.push(e) },
    logger: silentLogger,
    managementAudience: 'https://refreshd.unit.test/api/v2/',
    maxFamiliesPerUserClient: 200,
    // The grants get the verified proof in their request; the token endpoint's DPoP step is not run here.
    dpop: {
      async verify() {
        return null;
      },
      nonce: () => 'unit-test-nonce',
    },
  };
  return { deps, store, source, clock, events, minted, codec };
}
