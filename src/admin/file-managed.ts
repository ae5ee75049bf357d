import type { GrantSubjectType } from '../core/types.js';
import type { NormalizedConfig } from '../config/load-config.js';

/** A client grant as the file identifies it: one per client, API and subject type. */
export interface ManagedGrant {
  clientId: string;
  audience: string;
  subjectType: GrantSubjectType;
}

const grantKey = (g: ManagedGrant) => `${g.subjectType}\n${g.clientId}\n${g.audience}`;

/**
 * The entries the configuration file declares. The file is applied at every start and wins for them, so the
 * Management API and the CLI refuse to change or delete them (the change would be undone at the next start);
 * everything else belongs to the API.
 */
export class FileManaged {
  readonly #clients: ReadonlySet<string>;
  readonly #apis: ReadonlySet<string>;
  readonly #grants: ReadonlyMap<string, ManagedGrant>;

  private constructor(clients: Iterable<string>, apis: Iterable<string>, grants: Iterable<ManagedGrant>) {
    this.#clients = new Set(clients);
    this.#apis = new Set(apis);
    this.#grants = new Map([...grants].map((g) => [grantKey(g), { clientId: g.clientId, audience: g.audience, subjectType: g.subjectType }]));
  }

  static readonly NONE = new FileManaged([], [], []);

  static of(config: NormalizedConfig): FileManaged {
    return new FileManaged(
      config.clients.map((c) => c.clientId),
      config.resourceServers.map((r) => r.identifier),
      config.clientGrants,
    );
  }

  client(clientId: string): boolean {
    return this.#clients.has(clientId);
  }

  resourceServer(identifier: string): boolean {
    return this.#apis.has(identifier);
  }

  clientGrant(grant: ManagedGrant): boolean {
    return this.#grants.has(grantKey(grant));
  }

  /** Every entry the file manages, for `config check` to tell the operator which ones the API may not change. */
  entries(): { clients: string[]; resourceServers: string[]; clientGrants: ManagedGrant[] } {
    return { clients: [...this.#clients], resourceServers: [...this.#apis], clientGrants: [...this.#grants.values()] };
  }
}
