import type { Auth } from '../api/auth.js';
import type { ManagementApi } from '../api/management-api.js';
import { seg } from '../api/management-api.js';
import { holds, SCOPES } from './scopes.js';

/**
 * Client names from GET /api/v2/clients/{id} (Auth0's shape), looked up once per client and only with a token
 * that holds read:clients. Without that scope, or when the lookup fails, the client_id stands in for the name.
 */
export class ClientNames {
  #names = new Map<string, string | null>();
  #pending = new Set<string>();
  #listeners = new Set<() => void>();

  constructor(
    private readonly auth: Auth,
    private readonly api: ManagementApi,
  ) {
    // Another client may sign in after an expiry, with other scopes: look names up again.
    auth.subscribe(() => {
      this.#names.clear();
      this.#notify();
    });
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The name if known, null while unknown (the caller shows the client_id). */
  name(clientId: string): string | null {
    const known = this.#names.get(clientId);
    if (known !== undefined) return known;
    const scopes = this.auth.state.credentials?.scopes ?? [];
    if (!holds(scopes, SCOPES.readClients)) return null;
    if (!this.#pending.has(clientId)) void this.#lookUp(clientId);
    return null;
  }

  async #lookUp(clientId: string): Promise<void> {
    this.#pending.add(clientId);
    try {
      const client = await this.api.get<{ name?: string }>(`/clients/${seg(clientId)}`, { fields: 'client_id,name', include_fields: true });
      this.#names.set(clientId, typeof client.name === 'string' && client.name !== '' ? client.name : null);
    } catch {
      this.#names.set(clientId, null);
    } finally {
      this.#pending.delete(clientId);
      this.#notify();
    }
  }

  #notify(): void {
    for (const l of this.#listeners) l();
  }
}
