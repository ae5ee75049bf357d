import { pino, type Logger as PinoLogger } from 'pino';
import { loadEnv, managementAudienceFor, type EnvConfig } from './config/env.js';
import { EMPTY_CONFIG, loadConfigFile } from './config/load-config.js';
import { buildApp } from './http/app.js';
import { bootstrapBanner, bootstrapManagementClient } from './service/bootstrap.js';
import { Refreshd } from './service/refreshd.js';
import { openStore, redactUrl } from './store/open-store.js';

export function createLogger(level: string): PinoLogger {
  return pino({
    level,
    // Belt and braces: nothing logs these, but if a future log line did, they would be masked.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.client_secret', '*.refresh_token', '*.access_token', '*.token'],
      censor: '[redacted]',
    },
  });
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
  const logger = createLogger(env.logLevel);
  const store = openStore(env.databaseUrl, { preparedStatements: env.pgPreparedStatements });
  await store.migrate();
  const refreshd = await Refreshd.create({ store, issuer: env.issuer, logger });
  const report = await refreshd.applyConfig(config);
  if (env.configPath) logger.info({ config: env.configPath, ...report }, 'configuration applied');
  const creds = await bootstrapManagementClient(refreshd);
  if (creds) process.stdout.write(bootstrapBanner(creds, env.issuer) + '\n');

  const app = await buildApp({ refreshd, logger, trustProxy: env.trustProxy });
  const address = await app.listen({ port: env.port, host: env.host });
  logger.info({ address, issuer: env.issuer, database: redactUrl(env.databaseUrl), store: store.dialect }, 'refreshd listening');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Fastify stops accepting, lets in-flight requests finish and closes idle keep-alive sockets.
      await app.close();
      await refreshd.close();
      await store.close();
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
