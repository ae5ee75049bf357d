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
  metrics: boolean;
  gcIntervalSeconds: number;
  gcRetentionSeconds: number;
  sessionStaleSeconds: number;
  eventRetentionSeconds: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
}

/** Every environment variable refreshd reads: the source of the configuration reference in docs/configuration.md. */
export const ENV_VARS: readonly { name: string; default: string; description: string }[] = [
  { name: 'PORT', default: '3000', description: 'Listen port.' },
  { name: 'HOST', default: '127.0.0.1', description: 'Listen address (`0.0.0.0` in a container).' },
  { name: 'REFRESHD_DATABASE_URL', default: DEFAULT_DATABASE_URL, description: '`sqlite:<path>` (embedded, one process) or `postgres://user@host:5432/db` (several instances).' },
  { name: 'REFRESHD_ISSUER', default: 'http://{HOST}:{PORT}/', description: '`iss` of access tokens. Its `host[:port]` is the Management API domain: the audience is `https://{domain}/api/v2/`.' },
  { name: 'REFRESHD_CONFIG', default: '(none)', description: 'Path to the JSON configuration file (clients, APIs, grants), applied at every start.' },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  { name: 'REFRESHD_TRUST_PROXY', default: 'false', description: 'Take the client address from `X-Forwarded-For` (only behind a proxy you control).' },
  { name: 'REFRESHD_METRICS', default: 'true', description: 'Serve Prometheus metrics at `/metrics` (keep that path off the public internet).' },
  { name: 'REFRESHD_GC_INTERVAL_SECONDS', default: '60', description: 'How often the background cleanup runs (each run is bounded to about a second); 0 disables it (use `refreshd gc`).' },
  { name: 'REFRESHD_GC_RETENTION_SECONDS', default: '86400', description: 'How long revoked or expired refresh-token families and expired sessions are kept before deletion.' },
  { name: 'REFRESHD_SESSION_STALE_SECONDS', default: '2592000', description: 'Sessions without an active refresh token and without activity for this long are deleted.' },
  { name: 'REFRESHD_EVENT_RETENTION_SECONDS', default: '2592000', description: 'How long security events (`GET /api/v2/logs`) are kept.' },
  { name: 'REFRESHD_WEBHOOK_URL', default: '(none)', description: 'Deliver security events to this URL (JSON arrays of Auth0-shaped logs, retried with backoff).' },
  { name: 'REFRESHD_WEBHOOK_SECRET', default: '(none)', description: 'HMAC-SHA256 key for the `x-refreshd-signature` header (required with a webhook URL; at least 32 characters).' },
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, max = 2 ** 31 - 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max) throw new ConfigError(`${name}: expected a whole number 0-${max}, got "${text}"`);
  return Number(text);
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (text !== 'true' && text !== 'false') throw new ConfigError(`${name}: expected true or false, got "${text}"`);
  return text === 'true';
}

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

  const webhookUrl = env.REFRESHD_WEBHOOK_URL || null;
  const webhookSecret = env.REFRESHD_WEBHOOK_SECRET || null;
  if (webhookUrl !== null) {
    let hook: URL;
    try {
      hook = new URL(webhookUrl);
    } catch {
      throw new ConfigError('REFRESHD_WEBHOOK_URL: not an absolute URL');
    }
    if (hook.protocol !== 'https:' && hook.protocol !== 'http:') throw new ConfigError('REFRESHD_WEBHOOK_URL: must be an http(s) URL');
    if (webhookSecret === null || webhookSecret.length < 32) throw new ConfigError('REFRESHD_WEBHOOK_SECRET: required with REFRESHD_WEBHOOK_URL, at least 32 characters');
  }

  return {
    port,
    host,
    databaseUrl: env.REFRESHD_DATABASE_URL || DEFAULT_DATABASE_URL,
    issuer,
    configPath: env.REFRESHD_CONFIG || null,
    logLevel,
    trustProxy: bool(env, 'REFRESHD_TRUST_PROXY', false),
    metrics: bool(env, 'REFRESHD_METRICS', true),
    gcIntervalSeconds: int(env, 'REFRESHD_GC_INTERVAL_SECONDS', 60),
    gcRetentionSeconds: int(env, 'REFRESHD_GC_RETENTION_SECONDS', 86_400),
    sessionStaleSeconds: int(env, 'REFRESHD_SESSION_STALE_SECONDS', 2_592_000),
    eventRetentionSeconds: int(env, 'REFRESHD_EVENT_RETENTION_SECONDS', 2_592_000),
    webhookUrl,
    webhookSecret,
  };
}

/** Auth0's Management API audience: `https://{domain}/api/v2/`, where domain is the issuer's host[:port]. */
export function managementAudienceFor(issuer: string): string {
  return `https://${new URL(issuer).host}/api/v2/`;
}

/** The cleanup policy the environment asks for. */
export function gcPolicyOf(env: EnvConfig) {
  return { retentionSeconds: env.gcRetentionSeconds, sessionStaleSeconds: env.sessionStaleSeconds, eventRetentionSeconds: env.eventRetentionSeconds };
}
