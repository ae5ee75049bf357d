import type { BenchAlg } from './lib/bench-client.js';
import type { StoreKind } from './lib/storage.js';
import type { ManagementRead } from './load/management-reads.js';

/** What runs as the server process of a scenario. */
export type TargetSpec =
  /** `cli`: another build's dist/src/cli.js (the before/after comparison runs the code before the changes). */
  | { kind: 'refreshd'; store: StoreKind; cli?: string; tokenHook?: boolean; env?: Record<string, string> }
  /** node:http without a database; signer 'none' answers a placeholder of a JWT's length and hashes nothing. */
  | { kind: 'http-floor'; alg: BenchAlg; signer: 'none' | 'jose' | 'sync' }
  /** node:http + the one-statement rotation on refreshd's table; sign 'ES256' adds the access token (jose). */
  | { kind: 'rotation-floor'; store: StoreKind; sign: 'none' | 'ES256' }
  | { kind: 'fastify-floor' }
  | { kind: 'oidc-provider' };

/** How the scenario is loaded: chained refresh-token rotation, or GETs over a prepared set of paths. */
export type LoadSpec =
  /** `dpop`: the public app's chains, each family bound to the app's key, every refresh with a proof and the server's nonce. */
  | { kind: 'refresh'; alg: BenchAlg; dpop?: boolean }
  | { kind: 'management-get'; read: ManagementRead }
  | { kind: 'get'; paths: string[] };

export interface Scenario {
  id: string;
  group: 'refreshd' | 'management' | 'floor' | 'peer';
  title: string;
  target: TargetSpec;
  load: LoadSpec;
  /** Why the scenario cannot run yet; it is listed as pending and skipped. */
  pending?: string;
}


/**
 * Every scenario, in run order: each refreshd scenario runs right after the floor it is compared with, so slow
 * drift on a shared machine affects both alike. To add a scenario, add a row (and a target in targets.ts).
 */
export const SCENARIOS: readonly Scenario[] = [
  { id: 'floor-http', group: 'floor', title: 'node:http: parse the form, answer the same bytes (no crypto, no DB)', target: { kind: 'http-floor', alg: 'ES256', signer: 'none' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'floor-es256', group: 'floor', title: 'node:http + SHA-256 + ES256 JWT (jose), no DB', target: { kind: 'http-floor', alg: 'ES256', signer: 'jose' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'floor-sqlite-es256', group: 'floor', title: 'node:http + better-sqlite3 one-statement rotation (UPDATE … RETURNING, WAL, autocommit) + ES256 JWT (jose)', target: { kind: 'rotation-floor', store: 'sqlite', sign: 'ES256' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-sqlite-es256', group: 'refreshd', title: 'refreshd on SQLite, ES256 access tokens', target: { kind: 'refreshd', store: 'sqlite' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-sqlite-es256-hook', group: 'refreshd', title: 'refreshd on SQLite, ES256, refresh with a token hook (local hook answering 200 with two claims)', target: { kind: 'refreshd', store: 'sqlite', tokenHook: true }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-sqlite-es256-dpop', group: 'refreshd', title: 'refreshd on SQLite, ES256, DPoP: a public client\'s families bound to its key (ES256 proof with the server nonce on every refresh)', target: { kind: 'refreshd', store: 'sqlite' }, load: { kind: 'refresh', alg: 'ES256', dpop: true } },
  { id: 'refreshd-sqlite-es256-dpop-cold', group: 'refreshd', title: 'refreshd on SQLite, ES256, DPoP as above with the proof-key cache off (REFRESHD_DPOP_KEY_CACHE_SIZE=0): every proof\'s key imported, as for a client not seen since its key left the cache', target: { kind: 'refreshd', store: 'sqlite', env: { REFRESHD_DPOP_KEY_CACHE_SIZE: '0' } }, load: { kind: 'refresh', alg: 'ES256', dpop: true } },
  { id: 'floor-pg', group: 'floor', title: 'node:http + pg, one-statement rotation (UPDATE … RETURNING), no JWT', target: { kind: 'rotation-floor', store: 'postgres', sign: 'none' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'floor-pg-es256', group: 'floor', title: 'node:http + pg one-statement rotation (named prepared UPDATE … RETURNING) + ES256 JWT (jose)', target: { kind: 'rotation-floor', store: 'postgres', sign: 'ES256' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-pg-es256', group: 'refreshd', title: 'refreshd on PostgreSQL, ES256 access tokens', target: { kind: 'refreshd', store: 'postgres' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-pg-es256-hook', group: 'refreshd', title: 'refreshd on PostgreSQL, ES256, refresh with a token hook (local hook answering 200 with two claims)', target: { kind: 'refreshd', store: 'postgres', tokenHook: true }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'refreshd-pg-es256-dpop', group: 'refreshd', title: 'refreshd on PostgreSQL, ES256, DPoP: a public client\'s families bound to its key (ES256 proof with the server nonce on every refresh)', target: { kind: 'refreshd', store: 'postgres' }, load: { kind: 'refresh', alg: 'ES256', dpop: true } },
  { id: 'floor-rs256-sync', group: 'floor', title: 'node:http + SHA-256 + RS256 JWT signed on the event loop (single-threaded), no DB', target: { kind: 'http-floor', alg: 'RS256', signer: 'sync' }, load: { kind: 'refresh', alg: 'RS256' } },
  { id: 'floor-rs256-jose', group: 'floor', title: 'node:http + SHA-256 + RS256 JWT (jose / WebCrypto), no DB', target: { kind: 'http-floor', alg: 'RS256', signer: 'jose' }, load: { kind: 'refresh', alg: 'RS256' } },
  { id: 'refreshd-sqlite-rs256', group: 'refreshd', title: 'refreshd on SQLite, RS256 access tokens (the default)', target: { kind: 'refreshd', store: 'sqlite' }, load: { kind: 'refresh', alg: 'RS256' } },
  { id: 'refreshd-pg-rs256', group: 'refreshd', title: 'refreshd on PostgreSQL, RS256 access tokens (the default)', target: { kind: 'refreshd', store: 'postgres' }, load: { kind: 'refresh', alg: 'RS256' } },
  { id: 'peer-oidc-provider', group: 'peer', title: 'oidc-provider 9, rotation on, in-memory adapter, opaque access tokens', target: { kind: 'oidc-provider' }, load: { kind: 'refresh', alg: 'ES256' } },
  { id: 'floor-fastify-get', group: 'floor', title: 'bare Fastify 5 JSON GET (response schema, no logger)', target: { kind: 'fastify-floor' }, load: { kind: 'get', paths: ['/api/v2/refresh-tokens/hQ3b8bVb0mGx8L1m1tZl7w'] } },
  { id: 'mgmt-get-refresh-token-sqlite', group: 'management', title: 'GET /api/v2/refresh-tokens/{id} on SQLite', target: { kind: 'refreshd', store: 'sqlite' }, load: { kind: 'management-get', read: 'refresh-token' } },
  { id: 'mgmt-list-user-refresh-tokens-sqlite', group: 'management', title: 'GET /api/v2/users/{id}/refresh-tokens (200 families) on SQLite', target: { kind: 'refreshd', store: 'sqlite' }, load: { kind: 'management-get', read: 'user-refresh-tokens' } },
  { id: 'mgmt-get-refresh-token-pg', group: 'management', title: 'GET /api/v2/refresh-tokens/{id} on PostgreSQL', target: { kind: 'refreshd', store: 'postgres' }, load: { kind: 'management-get', read: 'refresh-token' } },
  { id: 'mgmt-list-user-refresh-tokens-pg', group: 'management', title: 'GET /api/v2/users/{id}/refresh-tokens (200 families) on PostgreSQL', target: { kind: 'refreshd', store: 'postgres' }, load: { kind: 'management-get', read: 'user-refresh-tokens' } },
];
