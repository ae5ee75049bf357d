import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.js';
import type { SecurityEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { managementAudienceFor } from '../../src/config/env.js';
import type { EventRecorder } from '../../src/events/event-recorder.js';
import { recordSecurityEvents } from '../../src/events/recording.js';
import { fanOut } from '../../src/events/fan-out.js';
import type { TokenHookSettings } from '../../src/config/token-hook-config.js';
import { tokenHookOptions } from '../../src/hooks/http-token-hook.js';
import type { TokenHookFunction, TokenHookPolicy } from '../../src/hooks/token-hook.js';
import { buildApp, type BuildAppOptions } from '../../src/http/app.js';
import { Metrics } from '../../src/ops/metrics.js';
import type { Store, StoreDialect } from '../../src/ports/store.js';
import { Refreshd } from '../../src/service/refreshd.js';
import { fixtureConfig } from './fixtures.js';
import { freePort } from './process.js';
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
  metrics: Metrics | null;
  /** Set with `recordEvents`: the recorder that stores events in the database (call flush() before reading). */
  recorder: EventRecorder | null;
  close(): Promise<void>;
}

export interface StartServerOptions {
  config?: Record<string, unknown>;
  clock?: ManualClock;
  /**
   * Make the issuer the server's real address, http://127.0.0.1:PORT/, so the Management API audience is
   * https://127.0.0.1:PORT/api/v2/, which is what the auth0 SDK derives from `domain: '127.0.0.1:PORT'`.
   * Without it the issuer is a placeholder host and the server listens on any free port.
   */
  realIssuer?: boolean;
  /** An issuer of the test's choosing (a TLS front's address, a path); the server listens on any free port. */
  issuer?: string;
  /** Count requests and outcomes in a Metrics registry and serve /metrics. */
  metrics?: boolean;
  /**
   * Store security events in the database through an EventRecorder: `true` stores every type, successful
   * refreshes included (REFRESHD_STORE_REFRESH_EVENTS=true); `{ storeRefreshes: false }` is the server's default.
   */
  recordEvents?: boolean | { storeRefreshes: boolean };
  /** Extra options for buildApp (a rate limiter, a logger). */
  app?: Omit<BuildAppOptions, 'refreshd'>;
  /**
   * A token hook: resolved settings build the HTTP hook exactly as the server does from its configuration (counted
   * in the metrics when there are some); `{ fn }` is the library form.
   */
  tokenHook?: TokenHookSettings | { fn: TokenHookFunction; policy?: Partial<TokenHookPolicy> };
  /** REFRESHD_MANAGEMENT_TOKEN_LIFETIME, as the server hands it to Refreshd. */
  managementTokenLifetimeSeconds?: number;
  /** Logger handed to Refreshd (the hook's warnings go there). */
  logger?: import('../../src/core/logger.js').Logger;
  /** Crypto worker threads (access-token signing, DPoP proofs); the machine's default when unset, 0 for none. */
  signingWorkers?: number;
}

/**
 * A real server on a loopback port over a fresh database of `kind`, with a manual clock and the fixture
 * configuration applied. Tests talk to it over HTTP with fetch.
 */
export async function startServer(kind: StoreDialect, options: StartServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase(kind);
  const store = db.open();
  await store.migrate();
  const clock = options.clock ?? new ManualClock(Date.now());
  const events: SecurityEvent[] = [];
  const metrics = options.metrics ? new Metrics({ store, clock, defaultMetrics: false, activeFamiliesCacheMs: 0 }) : null;
  if (metrics) store.observeQueries((op, s, ok) => metrics.observeQuery(op, s, ok));
  const recorder = options.recordEvents
    ? recordSecurityEvents(store, { logger: silentLogger, clock, metrics, storeRefreshes: options.recordEvents === true || options.recordEvents.storeRefreshes })
    : null;
  const sink = fanOut([{ emit: (e) => events.push(e) }, ...(metrics ? [metrics] : []), ...(recorder ? [recorder] : [])]);
  // The issuer names the port, known only after listening: either pick a free port first, or use a placeholder.
  const port = options.realIssuer ? await freePort() : 0;
  const issuer = options.issuer ?? (options.realIssuer ? `http://127.0.0.1:${port}/` : 'http://refreshd.test/');
  const hookSettings = options.tokenHook;
  const httpHook =
    hookSettings && 'url' in hookSettings ? tokenHookOptions(hookSettings, metrics ? (o) => metrics.observeTokenHook(o) : undefined) : null;
  const hook = httpHook
    ? { tokenHook: httpHook.tokenHook, tokenHookPolicy: httpHook.tokenHookPolicy, onTokenHookCall: httpHook.onTokenHookCall }
    : hookSettings && 'fn' in hookSettings
      ? { tokenHook: hookSettings.fn, tokenHookPolicy: hookSettings.policy ?? {}, ...(metrics ? { onTokenHookCall: metrics.observeTokenHook.bind(metrics) } : {}) }
      : {};
  const refreshd = await Refreshd.create({
    store,
    issuer,
    clock,
    cacheTtlMs: 60_000,
    events: sink,
    ...hook,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.managementTokenLifetimeSeconds ? { managementTokenLifetimeSeconds: options.managementTokenLifetimeSeconds } : {}),
    ...(options.signingWorkers !== undefined ? { signingWorkers: options.signingWorkers } : {}),
  });
  const managementAudience = managementAudienceFor(issuer);
  await refreshd.applyConfig(normalizeConfig(options.config ?? fixtureConfig(managementAudience), managementAudience));
  const app = await buildApp({ logger: false, metrics, ...options.app, refreshd });
  const address = await app.listen({ port, host: '127.0.0.1' });
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
    metrics,
    recorder,
    async close() {
      await app.close();
      await refreshd.close();
      await httpHook?.close();
      await recorder?.stop();
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
