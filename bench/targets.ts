/** The targets, each evaluated on figures from the same run. */

export type Check =
  /** scenario.rps ≥ factor × reference.rps */
  | { kind: 'throughput-ratio'; scenario: string; reference: string; factor: number }
  /** scenario p99 ≤ limit (ms) */
  | { kind: 'p99-max'; scenario: string; limitMs: number }
  /** bytes per active family on a store ≤ limit */
  | { kind: 'storage-max'; store: 'sqlite' | 'postgres'; limitBytes: number; /** measured with the run's custom claims in every family */ withClaims?: boolean }
  /** rows added per refresh on every refreshd refresh scenario = 0 */
  | { kind: 'rows-per-refresh'; scenarios: string[] };

export interface TargetSpec {
  id: string;
  label: string;
  check: Check;
  /** Shown, but not counted as a target (context for a stated target). */
  informational?: boolean;
}

export const TARGETS: readonly TargetSpec[] = [
  // Issue 16's fair floors: the same request, durable write and ES256 signature, and nothing else.
  { id: 'sqlite-es256-vs-fair-floor', label: 'SQLite, ES256 ≥ 0.8 × node:http + better-sqlite3 one-statement rotation + ES256 floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256', reference: 'floor-sqlite-es256', factor: 0.8 } },
  { id: 'pg-es256-vs-fair-floor', label: 'PostgreSQL, ES256 ≥ 0.8 × node:http + pg one-statement rotation + ES256 floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-pg-es256', reference: 'floor-pg-es256', factor: 0.8 } },
  { id: 'sqlite-es256-vs-floor', label: 'SQLite, ES256 ≥ 0.65 × node:http + hash + ES256 floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256', reference: 'floor-es256', factor: 0.65 } },
  { id: 'sqlite-es256-p99', label: 'SQLite, ES256: p99 ≤ 15 ms at 32 connections', check: { kind: 'p99-max', scenario: 'refreshd-sqlite-es256', limitMs: 15 } },
  { id: 'pg-es256-vs-floor', label: 'PostgreSQL, ES256 ≥ 0.8 × node:http + pg one-statement floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-pg-es256', reference: 'floor-pg', factor: 0.8 } },
  { id: 'sqlite-rs256-vs-floor', label: 'RS256 (default), SQLite ≥ 1.5 × single-threaded RS256 floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-rs256', reference: 'floor-rs256-sync', factor: 1.5 } },
  { id: 'pg-rs256-vs-floor', label: 'RS256 (default), PostgreSQL ≥ 1.5 × single-threaded RS256 floor', check: { kind: 'throughput-ratio', scenario: 'refreshd-pg-rs256', reference: 'floor-rs256-sync', factor: 1.5 } },
  { id: 'sqlite-vs-peer', label: 'refreshd (SQLite, durable, ES256) ≥ 1.5 × oidc-provider in-memory', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256', reference: 'peer-oidc-provider', factor: 1.5 } },
  { id: 'sqlite-rs256-vs-peer', label: 'refreshd (SQLite, durable, RS256) vs oidc-provider in-memory (opaque tokens)', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-rs256', reference: 'peer-oidc-provider', factor: 1.5 }, informational: true },
  { id: 'mgmt-get-vs-fastify', label: 'GET /refresh-tokens/{id} (SQLite) ≥ 0.6 × bare Fastify GET', check: { kind: 'throughput-ratio', scenario: 'mgmt-get-refresh-token-sqlite', reference: 'floor-fastify-get', factor: 0.6 } },
  { id: 'mgmt-get-vs-fastify-pg', label: 'GET /refresh-tokens/{id} (PostgreSQL) ≥ 0.6 × bare Fastify GET', check: { kind: 'throughput-ratio', scenario: 'mgmt-get-refresh-token-pg', reference: 'floor-fastify-get', factor: 0.6 } },
  { id: 'sqlite-hook-vs-plain', label: 'SQLite, ES256: refresh with a token hook ≥ 0.6 × plain refresh', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256-hook', reference: 'refreshd-sqlite-es256', factor: 0.6 } },
  { id: 'pg-hook-vs-plain', label: 'PostgreSQL, ES256: refresh with a token hook ≥ 0.6 × plain refresh', check: { kind: 'throughput-ratio', scenario: 'refreshd-pg-es256-hook', reference: 'refreshd-pg-es256', factor: 0.6 } },
  { id: 'sqlite-dpop-vs-bearer', label: 'SQLite, ES256: DPoP-bound refresh (public client, proof + nonce) ≥ 0.7 × bearer refresh', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256-dpop', reference: 'refreshd-sqlite-es256', factor: 0.7 } },
  { id: 'sqlite-dpop-cold-vs-bearer', label: 'SQLite, ES256: DPoP-bound refresh with the proof-key cache off (every key imported) vs bearer refresh', check: { kind: 'throughput-ratio', scenario: 'refreshd-sqlite-es256-dpop-cold', reference: 'refreshd-sqlite-es256', factor: 0.7 }, informational: true },
  { id: 'pg-dpop-vs-bearer', label: 'PostgreSQL, ES256: DPoP-bound refresh (public client, proof + nonce) ≥ 0.7 × bearer refresh', check: { kind: 'throughput-ratio', scenario: 'refreshd-pg-es256-dpop', reference: 'refreshd-pg-es256', factor: 0.7 } },
  { id: 'pg-storage', label: 'Storage ≤ 1 KiB per active family on PostgreSQL, indexes included', check: { kind: 'storage-max', store: 'postgres', limitBytes: 1024 } },
  { id: 'sqlite-storage', label: 'Storage per active family on SQLite, indexes included (same 1 KiB bar)', check: { kind: 'storage-max', store: 'sqlite', limitBytes: 1024 }, informational: true },
  { id: 'pg-storage-claims', label: 'Storage per active family on PostgreSQL with 300 B of custom claims each (same 1 KiB bar)', check: { kind: 'storage-max', store: 'postgres', limitBytes: 1024, withClaims: true }, informational: true },
  { id: 'sqlite-storage-claims', label: 'Storage per active family on SQLite with 300 B of custom claims each (same 1 KiB bar)', check: { kind: 'storage-max', store: 'sqlite', limitBytes: 1024, withClaims: true }, informational: true },
  { id: 'rows-per-refresh', label: '0 rows added per refresh', check: { kind: 'rows-per-refresh', scenarios: ['refreshd-sqlite-es256', 'refreshd-pg-es256', 'refreshd-sqlite-rs256', 'refreshd-pg-rs256', 'refreshd-sqlite-es256-hook', 'refreshd-pg-es256-hook', 'refreshd-sqlite-es256-dpop', 'refreshd-pg-es256-dpop', 'refreshd-sqlite-es256-dpop-cold'] } },
];
