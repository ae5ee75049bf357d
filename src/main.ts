import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { systemClock } from './core/clock.js';
import { gcPolicyOf, loadEnv, managementAudienceFor, webhookUrlWarning, type EnvConfig } from './config/env.js';
import { EMPTY_CONFIG, loadConfigFile } from './config/load-config.js';
import { resolveTokenHook, tokenHookUrlWarning } from './config/token-hook-config.js';
import { fanOut } from './events/fan-out.js';
import { recordSecurityEvents } from './events/recording.js';
import { WebhookDelivery } from './events/webhook.js';
import { tokenHookOptions } from './hooks/http-token-hook.js';
import { buildApp } from './http/app.js';
import { buildMetricsApp } from './http/metrics-plugin.js';
import { GcJob } from './ops/gc.js';
import { Metrics } from './ops/metrics.js';
import { CONSOLE_PREFIX } from './http/console-plugin.js';
import { MANAGEMENT_RATE_LIMIT_RULES } from './http/management-plugin.js';
import { OAUTH_RATE_LIMIT_RULES } from './http/oauth-plugin.js';
import { RateLimiter } from './ratelimit/rate-limiter.js';
import { bootstrapBanner, bootstrapManagementClient } from './service/bootstrap.js';
import { Refreshd } from './service/refreshd.js';
import { openStore } from './store/open-store.js';
import { RedisReplayCache } from './dpop/redis-replay-cache.js';
import { redactUrl } from './core/redact-url.js';

export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  return pino(
    {
      level,
      // No `redact` here: the serializers below decide what a request line holds (never headers or a query
      // string), nothing else logs a credential, and test/reliability/no-secret-leaks.test.ts proves it at trace
      // level. Wildcard redaction paths cost ~7% of the event loop on every access-log line (bench/FINDINGS.md).
      serializers: {
        // Fastify's request line without the query string: a client that puts a secret in the URL
        // (?client_secret=…, ?refresh_token=…) must not get it written to the logs.
        req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
          method: req.method,
          url: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
          ...(typeof req.url === 'string' && req.url.includes('?') ? { query: '[redacted]' } : {}),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    destination,
  );
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Boots the server: config, store + migrations, keys, bootstrap client, HTTP; stops gracefully on SIGTERM/SIGINT. */
export async function serve(env: EnvConfig = loadEnv(), options: { handleSignals?: boolean } = {}): Promise<RunningServer> {
  const audience = managementAudienceFor(env.issuer);
  // Parse the configuration before touching the database, so a bad file fails fast and changes nothing.
  const config = env.configPath ? loadConfigFile(env.configPath, audience) : EMPTY_CONFIG;
  const hookSettings = resolveTokenHook(config.tokenHook, env.tokenHook, env.configPath ? `${env.configPath} /token_hook` : 'REFRESHD_TOKEN_HOOK_*');
  const logger = createLogger(env.logLevel);
  const clock = systemClock;
  const store = openStore(env.databaseUrl, { preparedStatements: env.pgPreparedStatements, keyCipher: env.keyCipher, onWarning: (message) => logger.warn({}, message) });
  const migration = await store.migrate();

  const hookWarning = env.webhookUrl ? webhookUrlWarning(env.webhookUrl) : null;
  if (hookWarning) logger.warn({ webhook: redactUrl(env.webhookUrl!) }, hookWarning);

  const metrics = env.metrics ? new Metrics({ store, clock }) : null;
  if (metrics) store.observeQueries((op, s, ok) => metrics.observeQuery(op, s, ok));
  const webhook =
    env.webhookUrl && env.webhookSecret
      ? new WebhookDelivery({
          url: env.webhookUrl,
          secret: env.webhookSecret,
          logger,
          onDelivered: (n) => metrics?.webhookEvents.inc({ result: 'delivered' }, n),
          onFailed: (n) => metrics?.webhookEvents.inc({ result: 'failed' }, n),
        })
      : null;
  const recorder = recordSecurityEvents(store, { logger, storeRefreshes: env.storeRefreshEvents, metrics, webhook });
  recorder.start();
  const events = fanOut(metrics ? [recorder, metrics] : [recorder], (err) => logger.error({ err }, 'event sink failed'));

  if (migration.newer.length > 0) {
    logger.warn({ migrations: migration.newer }, 'the database was migrated by a newer refreshd; running on its schema (roll this instance forward)');
  }
  const hook = hookSettings ? tokenHookOptions(hookSettings, metrics ? (o) => metrics.observeTokenHook(o) : undefined) : null;
  if (hookSettings) {
    const u = new URL(hookSettings.url);
    logger.info({ tokenHook: { url: `${u.origin}${u.pathname}`, onFailure: hookSettings.onFailure, events: hookSettings.events, timeoutMs: hookSettings.timeoutMs } }, 'token hook enabled');
    const warning = tokenHookUrlWarning(hookSettings.url);
    if (warning) logger.warn({}, warning);
  }
  // Used DPoP proofs are shared through Redis when instances share it, so a proof is single-use across all of them.
  const replayCache = env.rateLimit.redisUrl ? new RedisReplayCache(env.rateLimit.redisUrl, { keyPrefix: `${env.rateLimit.keyPrefix}:dpop-jti`, logger }) : null;
  if (replayCache) await replayCache.ready();
  const refreshd = await Refreshd.create({
    store,
    issuer: env.issuer,
    logger,
    clock,
    events,
    managementTokenLifetimeSeconds: env.managementTokenLifetimeSeconds,
    ...(env.signingWorkers !== null ? { signingWorkers: env.signingWorkers } : {}),
    dpop: { ...env.dpop, ...(replayCache ? { replayCache } : {}) },
    ...(hook ? { tokenHook: hook.tokenHook, tokenHookPolicy: hook.tokenHookPolicy, onTokenHookCall: hook.onTokenHookCall } : {}),
  });
  const report = await refreshd.applyConfig(config);
  if (env.configPath) logger.info({ config: env.configPath, ...report }, 'configuration applied');
  const creds = await bootstrapManagementClient(refreshd);
  const consoleUrl = env.console ? new URL(`${CONSOLE_PREFIX.slice(1)}/`, env.issuer).href : null;
  if (creds) process.stdout.write(bootstrapBanner(creds, env.issuer, consoleUrl) + '\n');

  const gc = new GcJob(store, clock, gcPolicyOf(env, store.dialect), logger);
  gc.start(env.gcIntervalSeconds);

  const limits = env.rateLimit;
  const rateLimiter = new RateLimiter({
    rules: [
      { name: OAUTH_RATE_LIMIT_RULES.perIp, points: limits.perIp, windowSeconds: limits.windowSeconds },
      { name: OAUTH_RATE_LIMIT_RULES.perClient, points: limits.perClient, windowSeconds: limits.windowSeconds },
      { name: OAUTH_RATE_LIMIT_RULES.authFailuresPerIp, points: limits.authFailuresPerIp, windowSeconds: limits.windowSeconds },
      { name: MANAGEMENT_RATE_LIMIT_RULES.perToken, points: limits.managementPerToken, windowSeconds: limits.windowSeconds },
      { name: MANAGEMENT_RATE_LIMIT_RULES.perIp, points: limits.managementPerIp, windowSeconds: limits.windowSeconds },
    ],
    redisUrl: limits.redisUrl,
    keyPrefix: limits.keyPrefix,
    logger,
  });
  await rateLimiter.ready();
  const metricsAccess = { token: env.metricsToken, separate: env.metricsAddress !== null };
  const app = await buildApp({ refreshd, logger, trustProxy: env.trustProxy, metrics, metricsAccess, rateLimiter, console: env.console });
  const metricsApp = metrics && env.metricsAddress ? await buildMetricsApp(metrics, metricsAccess) : null;
  const metricsUrl = metricsApp && env.metricsAddress ? await metricsApp.listen(env.metricsAddress) : null;
  const address = await app.listen({ port: env.port, host: env.host });
  logger.info(
    {
      address,
      issuer: env.issuer,
      database: redactUrl(env.databaseUrl),
      ...(env.webhookUrl ? { webhook: redactUrl(env.webhookUrl) } : {}),
      console: consoleUrl,
      store: store.dialect,
      ...(metrics ? { metrics: { at: metricsUrl ? `${metricsUrl}/metrics` : `${address}/metrics`, token: env.metricsToken !== null } } : {}),
      rateLimit: {
        perClient: limits.perClient,
        perIp: limits.perIp,
        authFailuresPerIp: limits.authFailuresPerIp,
        managementPerToken: limits.managementPerToken,
        managementPerIp: limits.managementPerIp,
        windowSeconds: limits.windowSeconds,
        shared: limits.redisUrl !== null,
      },
    },
    'refreshd listening',
  );

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Fastify stops accepting, lets in-flight requests finish and closes idle keep-alive sockets. A request still
      // running after the grace period (a client that never finishes its body) is cut, so shutdown is bounded.
      // Then the background work stops and queued events are written before the store closes.
      const force = setTimeout(() => {
        logger.warn({ graceMs: env.shutdownGraceMs }, 'shutdown grace period over: closing the remaining connections');
        app.server.closeAllConnections();
      }, env.shutdownGraceMs);
      await app.close();
      clearTimeout(force);
      await metricsApp?.close();
      await gc.stop();
      await recorder.stop();
      await webhook?.stop();
      await refreshd.close();
      await hook?.close();
      await Promise.all([store.close(), rateLimiter.close()]);
      logger.info({}, 'refreshd stopped');
    })());
  if (options.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'error during shutdown');
            process.exit(1);
          },
        );
      });
    }
  }
  return { url: address, close };
}
