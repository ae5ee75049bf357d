import { ConfigError } from '../core/errors.js';
import { DEFAULT_DATABASE_URL } from '../store/open-store.js';

export interface EnvConfig {
  port: number;
  host: string;
  databaseUrl: string;
  issuer: string;
  configPath: string | null;
  logLevel: string;
  trustProxy: boolean;
  /** REFRESHD_PG_PREPARED_STATEMENTS: named prepared statements on PostgreSQL (off behind PgBouncer < 1.21). */
  pgPreparedStatements: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the environment; a bad value is a one-line ConfigError naming the variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const portText = env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`PORT: expected a port number 0-65535, got "${portText}"`);
  const port = Number(portText);
  const host = env.HOST ?? '127.0.0.1';
  if (host === '') throw new ConfigError('HOST: must not be empty');

  let issuer = env.REFRESHD_ISSUER ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`REFRESHD_ISSUER: not an absolute URL: "${issuer}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('REFRESHD_ISSUER: must be an http(s) URL');
  if (url.search || url.hash) throw new ConfigError('REFRESHD_ISSUER: must not have a query or fragment');
  if (!issuer.endsWith('/')) issuer += '/';

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`);

  const trust = env.REFRESHD_TRUST_PROXY ?? 'false';
  if (trust !== 'true' && trust !== 'false') throw new ConfigError('REFRESHD_TRUST_PROXY: expected true or false');

  const prepared = env.REFRESHD_PG_PREPARED_STATEMENTS ?? 'true';
  if (prepared !== 'true' && prepared !== 'false') throw new ConfigError('REFRESHD_PG_PREPARED_STATEMENTS: expected true or false');

  return {
    port,
    host,
    databaseUrl: env.REFRESHD_DATABASE_URL || DEFAULT_DATABASE_URL,
    issuer,
    configPath: env.REFRESHD_CONFIG || null,
    logLevel,
    trustProxy: trust === 'true',
    pgPreparedStatements: prepared === 'true',
  };
}

/** Auth0's Management API audience: `https://{domain}/api/v2/`, where domain is the issuer's host[:port]. */
export function managementAudienceFor(issuer: string): string {
  return `https://${new URL(issuer).host}/api/v2/`;
}
