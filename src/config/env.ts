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
  rateLimit: RateLimitEnv;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
}

/** Limits on /oauth/token and /oauth/revoke; 0 points turns a limit off. */
export interface RateLimitEnv {
  perClient: number;
  perIp: number;
  windowSeconds: number;
  /** Shared counters across instances; null counts in memory per instance. */
  redisUrl: string | null;
  keyPrefix: string;
}

/**
 * Defaults: 10,000 requests per second per client and per IP, Auth0's largest published Authentication API tier.
 * Generous on purpose: behind a load balancer without REFRESHD_TRUST_PROXY every request has the balancer's IP,
 * and one backend client may refresh for all of its users. Operators tighten them to their fleet.
 */
export const RATE_LIMIT_DEFAULTS = { perClient: 10_000, perIp: 10_000, windowSeconds: 1 } as const;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new ConfigError(`${name}: expected a whole number ${min}-${max}, got "${text}"`);
  return Number(text);
}

function loadRateLimit(env: NodeJS.ProcessEnv): RateLimitEnv {
  const mode = env.REFRESHD_RATE_LIMIT ?? 'on';
  if (mode !== 'on' && mode !== 'off') throw new ConfigError('REFRESHD_RATE_LIMIT: expected on or off');
  const redisUrl = env.REFRESHD_REDIS_URL || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REFRESHD_REDIS_URL: expected a redis:// or rediss:// URL');
  const off = mode === 'off';
  return {
    perClient: off ? 0 : wholeNumber(env, 'REFRESHD_RATE_LIMIT_PER_CLIENT', RATE_LIMIT_DEFAULTS.perClient, 0, 1e9),
    perIp: off ? 0 : wholeNumber(env, 'REFRESHD_RATE_LIMIT_PER_IP', RATE_LIMIT_DEFAULTS.perIp, 0, 1e9),
    windowSeconds: wholeNumber(env, 'REFRESHD_RATE_LIMIT_WINDOW', RATE_LIMIT_DEFAULTS.windowSeconds, 1, 86_400),
    redisUrl,
    keyPrefix: env.REFRESHD_RATE_LIMIT_PREFIX || 'refreshd:rl',
  };
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

  return {
    port,
    host,
    databaseUrl: env.REFRESHD_DATABASE_URL || DEFAULT_DATABASE_URL,
    issuer,
    configPath: env.REFRESHD_CONFIG || null,
    logLevel,
    trustProxy: trust === 'true',
    rateLimit: loadRateLimit(env),
    // 25 s: inside Kubernetes' default 30 s terminationGracePeriodSeconds, with time left to close the store.
    shutdownGraceMs: wholeNumber(env, 'REFRESHD_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600) * 1000,
  };
}

/** Auth0's Management API audience: `https://{domain}/api/v2/`, where domain is the issuer's host[:port]. */
export function managementAudienceFor(issuer: string): string {
  return `https://${new URL(issuer).host}/api/v2/`;
}
