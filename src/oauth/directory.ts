import type { Clock } from '../core/clock.js';
import { MAX_CLIENT_ID_LENGTH } from '../core/ids.js';
import type { Client, ClientGrant, GrantSubjectType, ResourceServer } from '../core/types.js';
import type { ClientStore } from '../ports/store.js';

interface Entry<T> {
  value: T;
  at: number;
}

/** A bounded TTL cache in front of the store's slowly-changing data (clients, APIs, grants). */
class TtlCache<T> {
  readonly #map = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #max: number;
  constructor(ttlMs: number, max = 10_000) {
    this.#ttlMs = ttlMs;
    this.#max = max;
  }
  async get(key: string, now: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#map.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.value;
    const value = await load();
    // Unknown keys are cached too (attackers probing random client ids must not reach the database each time),
    // so the map is bounded: past the limit it starts over rather than growing.
    if (this.#map.size >= this.#max) this.#map.clear();
    this.#map.set(key, { value, at: now });
    return value;
  }
  clear(): void {
    this.#map.clear();
  }
}

/** What the directory reads: clients, APIs and grants, never written through it. */
export type DirectorySource = Pick<ClientStore, 'findClient' | 'findResourceServer' | 'findClientGrant' | 'listClients'>;

/**
 * Read-through cache of clients, resource servers and client grants. The token endpoint reads them on every
 * request; another instance's change (or a CLI command) is seen within `ttlMs`.
 */
export class Directory {
  readonly #store: DirectorySource;
  readonly #clock: Clock;
  readonly #clients: TtlCache<Client | null>;
  readonly #apis: TtlCache<ResourceServer | null>;
  readonly #grants: TtlCache<ClientGrant | null>;
  readonly #origins: TtlCache<ReadonlySet<string>>;

  constructor(store: DirectorySource, clock: Clock, options: { ttlMs?: number } = {}) {
    const ttl = options.ttlMs ?? 5_000;
    this.#store = store;
    this.#clock = clock;
    this.#clients = new TtlCache(ttl);
    this.#apis = new TtlCache(ttl);
    this.#grants = new TtlCache(ttl);
    this.#origins = new TtlCache(ttl, 1);
  }

  client(clientId: string): Promise<Client | null> {
    // No client has a longer id: not looked up, not cached.
    if (clientId.length > MAX_CLIENT_ID_LENGTH) return Promise.resolve(null);
    return this.#clients.get(clientId, this.#clock.now(), () => this.#store.findClient(clientId));
  }

  resourceServer(identifier: string): Promise<ResourceServer | null> {
    return this.#apis.get(identifier, this.#clock.now(), () => this.#store.findResourceServer(identifier));
  }

  clientGrant(clientId: string, audience: string, subjectType: GrantSubjectType): Promise<ClientGrant | null> {
    if (clientId.length > MAX_CLIENT_ID_LENGTH) return Promise.resolve(null);
    const key = `${subjectType}\n${clientId}\n${audience}`;
    return this.#grants.get(key, this.#clock.now(), () => this.#store.findClientGrant(clientId, audience, subjectType));
  }

  /** Every client's web origins: a CORS preflight names no client, only the origin. */
  webOrigins(): Promise<ReadonlySet<string>> {
    return this.#origins.get('', this.#clock.now(), async () => new Set((await this.#store.listClients()).flatMap((c) => c.webOrigins)));
  }

  invalidate(): void {
    this.#origins.clear();
    this.#clients.clear();
    this.#apis.clear();
    this.#grants.clear();
  }
}
