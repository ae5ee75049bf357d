import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Store } from '../ports/store.js';
import type { FileManaged } from './file-managed.js';

/**
 * What the configuration use cases (clients, APIs, grants) need. The Management API and the CLI build one each and
 * call the same functions: the CLI is a thin layer over them, not a second implementation.
 */
export interface AdminDeps {
  store: Store;
  clock: Clock;
  events: EventSink;
  /** The built-in Management API audience: it cannot be changed, and grants on it are client grants only. */
  managementAudience: string;
  /** What the configuration file declares: the file wins for those, so these functions refuse to change them. */
  fileManaged: FileManaged;
  /**
   * Called after every change so this process stops serving cached copies at once (the directory, verified
   * Management tokens); other instances see the change within their cache window.
   */
  changed(): void;
}

/** Who asked, for the `sapi` security event: a Management API caller, or the CLI. */
export interface Actor {
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** 'api' or 'cli', recorded in the event's details. */
  via: 'api' | 'cli';
}

export const CLI_ACTOR: Actor = { clientId: null, ip: null, userAgent: null, via: 'cli' };

/** Emits the `sapi` event of a configuration change: who, from where, and ids only (never a secret). */
export function audit(deps: AdminDeps, actor: Actor, description: string, details: Record<string, unknown>): void {
  deps.events.emit({
    type: 'sapi',
    date: deps.clock.now(),
    description,
    clientId: actor.clientId,
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { ...details, via: actor.via },
  });
}
