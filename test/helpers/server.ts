import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.js';
import type { SecurityEvent } from '../../src/core/events.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { managementAudienceFor } from '../../src/config/env.js';
import { buildApp, type BuildAppOptions } from '../../src/http/app.js';
import type { Store, StoreDialect } from '../../src/ports/store.js';
import { Refreshd } from '../../src/service/refreshd.js';
import { fixtureConfig } from './fixtures.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

export interface TestServer {
  kind: StoreDialect;
  baseUrl: string;
  issuer: string;
  clock: ManualClock;
  store: Store;
  refreshd: Refreshd;
  app: FastifyInstance;
  db: TestDatabase;
  events: SecurityEvent[];
  close(): Promise<void>;
}

/**
 * A real server on a loopback port over a fresh database of `kind`, with a manual clock and the fixture
 * configuration applied. Tests talk to it over HTTP with fetch.
 */
export async function startServer(
  kind: StoreDialect,
  options: { config?: Record<string, unknown>; clock?: ManualClock; app?: Omit<BuildAppOptions, 'refreshd'> } = {},
): Promise<TestServer> {
  const db = await createTestDatabase(kind);
  const store = db.open();
  await store.migrate();
  const clock = options.clock ?? new ManualClock(Date.now());
  const events: SecurityEvent[] = [];
  // The issuer must name the port, which is known only after listen: use a fixed placeholder host instead.
  const issuer = 'http://refreshd.test/';
  const refreshd = await Refreshd.create({ store, issuer, clock, cacheTtlMs: 60_000, events: { emit: (e) => events.push(e) } });
  await refreshd.applyConfig(normalizeConfig(options.config ?? fixtureConfig(), managementAudienceFor(issuer)));
  const app = await buildApp({ logger: false, ...options.app, refreshd });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    kind,
    baseUrl: address,
    issuer,
    clock,
    store,
    refreshd,
    app,
    db,
    events,
    async close() {
      await app.close();
      await store.close();
      await db.drop();
    },
  };
}

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** POSTs form-encoded parameters (or JSON with `json: true`) and parses the JSON answer, if any. */
export async function post<T = Record<string, unknown>>(
  server: { baseUrl: string },
  path: string,
  params: Record<string, string> | string,
  options: { json?: boolean; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const body = typeof params === 'string' ? params : options.json ? JSON.stringify(params) : new URLSearchParams(params).toString();
  const contentType = options.json ? 'application/json' : 'application/x-www-form-urlencoded';
  const res = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...options.headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
