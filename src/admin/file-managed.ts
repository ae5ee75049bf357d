import type { GrantSubjectType } from '../core/types.js';
import type { NormalizedConfig } from '../config/load-config.js';

const grantKey = (clientId: string, audience: string, subjectType: GrantSubjectType) => `${subjectType}\n${clientId}\n${audience}`;

/**
 * The entries the configuration file declares. The file is applied at every start and wins for them, so the
 * Management API and the CLI refuse to change or delete them (the change would be undone at the next start);
 * everything else belongs to the API.
 */
export class FileManaged {
  readonly #clients: ReadonlySet<string>;
  readonly #apis: ReadonlySet<string>;
  readonly #grants: ReadonlySet<string>;

  private constructor(clients: Iterable<string>, apis: Iterable<string>, grants: Iterable<string>) {
    this.#clients = new Set(clients);
    this.#apis = new Set(apis);
    this.#grants = new Set(grants);
  }

  static readonly NONE = new FileManaged([], [], []);

  static of(config: NormalizedConfig): FileManaged {
    return new FileManaged(
      config.clients.map((c) => c.clientId),
      config.resourceServers.map((r) => r.identifier),
      config.clientGrants.map((g) => grantKey(g.clientId, g.audience, g.subjectType)),
    );
  }

  client(clientId: string): boolean {
    return this.#clients.has(clientId);
  }

  resourceServer(identifier: string): boolean {
    return this.#apis.has(identifier);
  }

  clientGrant(grant: { clientId: string; audience: string; subjectType: GrantSubjectType }): boolean {
    return this.#grants.has(grantKey(grant.clientId, grant.audience, grant.subjectType));
  }
}
