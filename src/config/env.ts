import { isIP } from 'node:net';
import { ConfigError } from '../core/errors.js';
import { webhookSecretProblem } from '../events/standard-webhooks.js';
import { KeyCipher } from '../store/key-cipher.js';
import { DEFAULT_DATABASE_URL } from '../store/open-store.js';
import { normalizeIssuer } from './issuer.js';
import type { TokenHookConfig } from './file-schema.js';
import { tokenHookFromEnv } from './token-hook-config.js';
import { isLoopbackHost } from '../core/hosts.js';
import { DEFAULT_KEY_ACTIVATION_DELAY_SECONDS, MAX_KEY_ACTIVATION_DELAY_SECONDS } from '../core/key-rotation.js';
import { DPOP_DEFAULTS } from '../dpop/dpop-verifier.js';
import type { StoreDialect } from '../ports/store.js';

export { isLoopbackHost };

export interface EnvConfig {
  port: number;
  host: string;
  databaseUrl: string;
  issuer: string;
  configPath: string | null;
  logLevel: string;
  trustProxy: TrustProxy;
  metrics: boolean;
  /** REFRESHD_METRICS_TOKEN: /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** REFRESHD_METRICS_ADDRESS: serve /metrics on this listener only, not on the main port. */
  metricsAddress: { host: string; port: number } | null;
  /** REFRESHD_CONSOLE: serve the admin console at /admin. */
  console: boolean;
  gcIntervalSeconds: number;
  gcRetentionSeconds: number;
  sessionStaleSeconds: number;
  eventRetentionSeconds: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** REFRESHD_STORE_REFRESH_EVENTS: also store one `sertft` event per successful refresh. */
  storeRefreshEvents: boolean;
  rateLimit: RateLimitEnv;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
  /** REFRESHD_PG_PREPARED_STATEMENTS: named prepared statements on PostgreSQL (off behind PgBouncer < 1.21). */
  pgPreparedStatements: boolean;
  /** REFRESHD_TOKEN_HOOK_*: the token hook's settings, each over the configuration file's `token_hook`. */
  tokenHook: TokenHookConfig;
  /** REFRESHD_MANAGEMENT_TOKEN_LIFETIME: seconds a Management API access token lives. */
  managementTokenLifetimeSeconds: number;
  /** REFRESHD_SIGNING_WORKERS: threads that sign access tokens and check DPoP proofs; null = the default for this machine. */
  signingWorkers: number | null;
  /** REFRESHD_KEY_ACTIVATION_DELAY_SECONDS: how long `keys rotate` publishes a new key before it signs. */
  keyActivationDelaySeconds: number;
  /** REFRESHD_DPOP_*: the proof `iat` window and the nonce time step, in seconds. */
  dpop: { iatWindowSeconds: number; nonceStepSeconds: number; keyCacheSize: number };
  /** REFRESHD_KEY_ENCRYPTION_KEY: private key material is encrypted at rest under it; null = stored as it is. */
  keyCipher: KeyCipher | null;
}

/**
 * Which proxies may name the client address in `X-Forwarded-For` (Fastify's `trustProxy`): none, the proxies at
 * these addresses, or every hop. Every hop is right only when nothing but a proxy that overwrites the header can
 * reach refreshd: behind one that appends to it (nginx's `$proxy_add_x_forwarded_for`, most cloud balancers), a
 * client could choose its own address, and with it its per-IP rate limit and the IPs recorded on its tokens.
 * (A hop count is not offered: Fastify 5 refuses it, since it cannot tell a proxy from a direct client.)
 */
export type TrustProxy = boolean | string[];

/** Named ranges that Fastify's proxy-addr understands, beside IPs and CIDRs. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function proxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

function trustProxy(env: NodeJS.ProcessEnv): TrustProxy {
  const text = (env.REFRESHD_TRUST_PROXY ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !proxyAddress(e));
  if (bad !== undefined) {
    throw new ConfigError(
      `REFRESHD_TRUST_PROXY: expected false, true or the proxies' addresses (IP, CIDR, loopback, linklocal, uniquelocal), got "${bad.slice(0, 100)}"`,
    );
  }
  return entries;
}

/** Limits on the OAuth endpoints and the Management API; 0 points turns a limit off. */
export interface RateLimitEnv {
  perClient: number;
  perIp: number;
  /** Failed client authentications per IP (IPv6 per /64); the address is then refused until the window ends. */
  authFailuresPerIp: number;
  /** Management API requests per bearer token. */
  managementPerToken: number;
  /** Management API requests per IP whose token is not yet verified (missing, malformed, forged or new). */
  managementPerIp: number;
  windowSeconds: number;
  /** Shared counters across instances; null counts in memory per instance. */
  redisUrl: string | null;
  keyPrefix: string;
}

/**
 * Defaults: 10,000 requests per second per client and per IP, Auth0's largest published Authentication API tier.
 * Generous on purpose: behind a load balancer without REFRESHD_TRUST_PROXY every request has the balancer's IP,
 * and one backend client may refresh for all of its users. Operators tighten them to their fleet. The Management
 * API allows 1,000 requests per second per token (an admin console or a sync job, far above Auth0's tiers), and
 * 100 per second per IP for tokens not yet verified: an honest caller reuses its token, which is verified once.
 * Failed client authentications: 100 per second per IP, far above any honest client's mistakes, while a guesser is
 * stopped (and no longer spends the budget of the client it names).
 */
export const RATE_LIMIT_DEFAULTS = { perClient: 10_000, perIp: 10_000, authFailuresPerIp: 100, managementPerToken: 1_000, managementPerIp: 100, windowSeconds: 1 } as const;

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
    authFailuresPerIp: off ? 0 : wholeNumber(env, 'REFRESHD_RATE_LIMIT_AUTH_FAILURES_PER_IP', RATE_LIMIT_DEFAULTS.authFailuresPerIp, 0, 1e9),
    managementPerToken: off ? 0 : wholeNumber(env, 'REFRESHD_RATE_LIMIT_MANAGEMENT_PER_TOKEN', RATE_LIMIT_DEFAULTS.managementPerToken, 0, 1e9),
    managementPerIp: off ? 0 : wholeNumber(env, 'REFRESHD_RATE_LIMIT_MANAGEMENT_PER_IP', RATE_LIMIT_DEFAULTS.managementPerIp, 0, 1e9),
    windowSeconds: wholeNumber(env, 'REFRESHD_RATE_LIMIT_WINDOW', RATE_LIMIT_DEFAULTS.windowSeconds, 1, 86_400),
    redisUrl,
    keyPrefix: env.REFRESHD_RATE_LIMIT_PREFIX || 'refreshd:rl',
  };
}

/** Every environment variable refreshd reads: the source of the configuration reference in docs/configuration.md. */
export const ENV_VARS: readonly { name: string; default: string; description: string }[] = [
  { name: 'PORT', default: '3000', description: 'Listen port.' },
  { name: 'HOST', default: '127.0.0.1', description: 'Listen address (`0.0.0.0` in a container).' },
  { name: 'REFRESHD_DATABASE_URL', default: DEFAULT_DATABASE_URL, description: '`sqlite:<path>` (embedded, one process) or `postgres://user@host:5432/db` (several instances).' },
  {
    name: 'REFRESHD_KEY_ENCRYPTION_KEY',
    default: '(none)',
    description:
      'Encrypt private key material at rest (signing keys, the refresh-token and cursor MAC keys) under this key: 32 bytes in base64 (`openssl rand -base64 32`). Keys stored before are encrypted at the next start; once set, refreshd does not start without it (or with another key). Keep it outside the database and its backups.',
  },
  {
    name: 'REFRESHD_ISSUER',
    default: 'http://{HOST}:{PORT}/',
    description:
      '`iss` of access tokens and discovery\'s `issuer` (a trailing slash is added). It may have a path (`https://auth.example.com/t1/`): every endpoint then also answers under it. Its `host[:port]` is the Management API domain: the audience is `https://{domain}/api/v2/`, path or not.',
  },
  { name: 'REFRESHD_CONFIG', default: '(none)', description: 'Path to the JSON configuration file (clients, APIs, grants), applied at every start.' },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  {
    name: 'REFRESHD_TRUST_PROXY',
    default: 'false',
    description:
      'Take the client address from `X-Forwarded-For` set by these proxies: a comma-separated list of their IPs or CIDRs (or `loopback`, `linklocal`, `uniquelocal`), e.g. `10.0.0.0/8`; or `true` for every hop, only when nothing but a proxy that overwrites the header can reach refreshd (behind one that appends to it, clients could choose their own address).',
  },
  { name: 'REFRESHD_METRICS', default: 'true', description: 'Serve Prometheus metrics at `/metrics` (keep that path off the public internet, or protect it with the two settings below).' },
  { name: 'REFRESHD_METRICS_TOKEN', default: '(none)', description: '`/metrics` answers 401 unless the scraper sends `Authorization: Bearer <this token>` (Prometheus: `authorization: { credentials: … }`); at least 32 characters.' },
  { name: 'REFRESHD_METRICS_ADDRESS', default: '(none)', description: 'Serve `/metrics` on a listener of its own, `host:port` (e.g. `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464` for a scraper on the network), and no longer on the main port.' },
  {
    name: 'REFRESHD_CONSOLE',
    default: 'true',
    description:
      'Serve the admin console at `/admin`: a single-page app that signs in with a Management API client and calls only the Management API. `false` removes it (the API itself is unaffected).',
  },
  {
    name: 'REFRESHD_MANAGEMENT_TOKEN_LIFETIME',
    default: '86400',
    description:
      'Seconds a Management API access token lives (60-86400, as Auth0 allows), a limit on how long a leaked one works. To cut off a client at once: `refreshd clients rotate-secret ID --revoke-tokens` or `POST /api/v2/clients/{id}/rotate-secret?revoke_tokens=true` (or `clients delete`).',
  },
  { name: 'REFRESHD_GC_INTERVAL_SECONDS', default: '60', description: 'How often the background cleanup runs (each run is bounded to about a second); 0 disables it (use `refreshd gc`).' },
  { name: 'REFRESHD_GC_RETENTION_SECONDS', default: '86400', description: 'How long revoked or expired refresh-token families and expired sessions are kept before deletion.' },
  { name: 'REFRESHD_SESSION_STALE_SECONDS', default: '2592000', description: 'Sessions without an active refresh token and without activity for this long are deleted.' },
  { name: 'REFRESHD_EVENT_RETENTION_SECONDS', default: '2592000', description: 'How long security events (`GET /api/v2/logs`) are kept.' },
  { name: 'REFRESHD_STORE_REFRESH_EVENTS', default: 'false', description: 'Also store a `sertft` event for every successful refresh (readable at `GET /api/v2/logs`). Off by default: it adds a row per refresh, kept for `REFRESHD_EVENT_RETENTION_SECONDS`. Refreshes are always counted in `/metrics` and, with a webhook, always delivered to it.' },
  { name: 'REFRESHD_WEBHOOK_URL', default: '(none)', description: 'Deliver security events to this URL (JSON arrays of Auth0-shaped logs, signed with Standard Webhooks, retried with backoff, redirects never followed). Use `https:`; a plain `http:` URL to another host draws a warning at boot.' },
  { name: 'REFRESHD_WEBHOOK_SECRET', default: '(none)', description: 'Standard Webhooks secret, `whsec_` followed by 24-64 random bytes in base64 (e.g. `whsec_$(openssl rand -base64 32)`), required with a webhook URL. Signs the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.' },
  { name: 'REFRESHD_RATE_LIMIT', default: 'on', description: '`off` disables every rate limit.' },
  { name: 'REFRESHD_RATE_LIMIT_PER_CLIENT', default: '10000', description: 'Requests per window per confidential client on `/oauth/token` and `/oauth/revoke`, counted only once the client has authenticated, so wrong secrets never spend a client\'s budget (0 = no limit). Public clients are limited per IP only.' },
  { name: 'REFRESHD_RATE_LIMIT_PER_IP', default: '10000', description: 'Requests per window per IP on the OAuth endpoints; an IPv6 address counts by its /64 (0 = no limit).' },
  { name: 'REFRESHD_RATE_LIMIT_AUTH_FAILURES_PER_IP', default: '100', description: 'Failed client authentications (`invalid_client`) per window per IP (IPv6 per /64) on the OAuth endpoints; once spent, that address gets 429 before its credentials are checked, until the window ends (0 = no limit).' },
  { name: 'REFRESHD_RATE_LIMIT_MANAGEMENT_PER_TOKEN', default: '1000', description: 'Management API requests per window per bearer token (0 = no limit).' },
  { name: 'REFRESHD_RATE_LIMIT_MANAGEMENT_PER_IP', default: '100', description: 'Management API requests per window per IP (IPv6 per /64) whose bearer token is not yet verified: missing, malformed, forged, or presented for the first time (0 = no limit).' },
  { name: 'REFRESHD_RATE_LIMIT_WINDOW', default: '1', description: 'Rate-limit window in seconds.' },
  {
    name: 'REFRESHD_REDIS_URL',
    default: '(none)',
    description:
      '`redis://…`: share rate-limit counters across instances (each instance falls back to its own counters while Redis is unreachable), and the used DPoP proofs, so a proof is single-use across every instance (while Redis is unreachable, DPoP requests get 503 rather than a weaker check).',
  },
  { name: 'REFRESHD_RATE_LIMIT_PREFIX', default: 'refreshd:rl', description: 'Key prefix for the counters in Redis.' },
  { name: 'REFRESHD_PG_PREPARED_STATEMENTS', default: 'true', description: 'Run the rotation as a named prepared statement on PostgreSQL; `false` behind PgBouncer in transaction mode before 1.21.' },
  {
    name: 'REFRESHD_SIGNING_WORKERS',
    default: '(one per core beyond the first, at most 2)',
    description:
      'Worker threads that sign access tokens and check DPoP proofs (docs/dpop.md); `0` does both on the event loop. Workers take the JWS work off the event loop but add a thread hand-off per batch, which costs more on a box whose other tenants keep every core busy (BENCHMARKS.md).',
  },
  {
    name: 'REFRESHD_KEY_ACTIVATION_DELAY_SECONDS',
    default: String(DEFAULT_KEY_ACTIVATION_DELAY_SECONDS),
    description:
      'How long `refreshd keys rotate` publishes a new signing key in the JWKS before it signs (its `--activation-delay` overrides it), so verifiers with a cached JWKS have it before the first token it signs. The default outlasts the 10-minute caches of jose, express-oauth2-jwt-bearer and jwks-rsa several times over; `0` signs at once (an emergency: cached verifiers then see an unknown `kid` until they re-fetch). At most 604800.',
  },
  {
    name: 'REFRESHD_DPOP_IAT_WINDOW_SECONDS',
    default: '300',
    description: 'How far a DPoP proof\'s `iat` may be from the server\'s time, either way (1-3600). Each proof\'s `jti` is remembered for that long, hashed.',
  },
  {
    name: 'REFRESHD_DPOP_NONCE_STEP_SECONDS',
    default: '60',
    description: 'Time step of DPoP nonces (10-3600): a nonce is accepted during the step it was issued in and the next one, by every instance over the same database.',
  },
  {
    name: 'REFRESHD_DPOP_KEY_CACHE_SIZE',
    default: '1024',
    description: 'How many DPoP proof keys stay imported (0-100000, least recently used out first), in each crypto worker (a key\'s proofs always go to the same one; see `REFRESHD_SIGNING_WORKERS`) or on the event loop without workers: a client whose key is still cached costs no key import or thumbprint on its next proof. Each kept key costs about 8 KB of memory (OpenSSL\'s key object; measured), so the default about 8 MB per worker. `0` imports every proof\'s key.',
  },
  { name: 'REFRESHD_SHUTDOWN_GRACE_SECONDS', default: '25', description: 'How long SIGTERM waits for in-flight requests before closing their connections.' },
  { name: 'REFRESHD_TOKEN_HOOK_URL', default: '(none)', description: 'The token hook: refreshd POSTs each issuance and refresh here before writing anything ([token-hook.md](token-hook.md)). Each `REFRESHD_TOKEN_HOOK_*` variable overrides the same field of the configuration file\'s `token_hook`.' },
  { name: 'REFRESHD_TOKEN_HOOK_SECRET', default: '(none)', description: 'Standard Webhooks secret (`whsec_` + base64 of 24-64 bytes) that signs each hook request; required with a hook.' },
  { name: 'REFRESHD_TOKEN_HOOK_TIMEOUT_MS', default: '5000', description: 'How long one hook call may take (50-30000 ms), connection included.' },
  { name: 'REFRESHD_TOKEN_HOOK_ON_FAILURE', default: 'deny', description: '`deny`: a failed hook call (timeout, 5xx, redirect, bad or oversized answer, refused connection) refuses the request with 503 and leaves the token as it was; `allow`: the request goes on without the hook.' },
  { name: 'REFRESHD_TOKEN_HOOK_EVENTS', default: 'issuance,refresh', description: 'Which events call the hook.' },
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

function metricsAddress(env: NodeJS.ProcessEnv): { host: string; port: number } | null {
  const text = env.REFRESHD_METRICS_ADDRESS ?? '';
  if (text === '') return null;
  const bad = () => new ConfigError(`REFRESHD_METRICS_ADDRESS: expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464, got "${text.slice(0, 100)}"`);
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    throw bad();
  }
  if (url.port === '' || url.pathname !== '/' || url.username || url.search || url.hash || !/:\d{1,5}$/.test(text)) throw bad();
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
}

/** Reads and validates the environment; a bad value is a one-line ConfigError naming the variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const portText = env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`PORT: expected a port number 0-65535, got "${portText}"`);
  const port = Number(portText);
  const host = env.HOST ?? '127.0.0.1';
  if (host === '') throw new ConfigError('HOST: must not be empty');

  const issuer = normalizeIssuer(env.REFRESHD_ISSUER ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}/`);

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
    if (webhookSecret === null) throw new ConfigError('REFRESHD_WEBHOOK_SECRET: required with REFRESHD_WEBHOOK_URL');
    const problem = webhookSecretProblem(webhookSecret);
    // Webhooks were signed with refreshd's own x-refreshd-signature scheme before: say what changed and what to do.
    if (problem) throw new ConfigError(`REFRESHD_WEBHOOK_SECRET: ${problem} (webhooks are signed with Standard Webhooks; generate one with: echo "whsec_$(openssl rand -base64 32)")`);
  }

  const metricsToken = env.REFRESHD_METRICS_TOKEN || null;
  if (metricsToken !== null && (metricsToken.length < 32 || /\s/.test(metricsToken))) {
    throw new ConfigError('REFRESHD_METRICS_TOKEN: at least 32 characters, no spaces (e.g. openssl rand -base64 32)');
  }

  return {
    port,
    host,
    databaseUrl: env.REFRESHD_DATABASE_URL || DEFAULT_DATABASE_URL,
    issuer,
    configPath: env.REFRESHD_CONFIG || null,
    logLevel,
    trustProxy: trustProxy(env),
    metrics: bool(env, 'REFRESHD_METRICS', true),
    metricsToken,
    metricsAddress: metricsAddress(env),
    console: bool(env, 'REFRESHD_CONSOLE', true),
    storeRefreshEvents: bool(env, 'REFRESHD_STORE_REFRESH_EVENTS', false),
    gcIntervalSeconds: int(env, 'REFRESHD_GC_INTERVAL_SECONDS', 60),
    gcRetentionSeconds: int(env, 'REFRESHD_GC_RETENTION_SECONDS', 86_400),
    sessionStaleSeconds: int(env, 'REFRESHD_SESSION_STALE_SECONDS', 2_592_000),
    eventRetentionSeconds: int(env, 'REFRESHD_EVENT_RETENTION_SECONDS', 2_592_000),
    webhookUrl,
    webhookSecret,
    rateLimit: loadRateLimit(env),
    // 25 s: inside Kubernetes' default 30 s terminationGracePeriodSeconds, with time left to close the store.
    shutdownGraceMs: wholeNumber(env, 'REFRESHD_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600) * 1000,
    pgPreparedStatements: bool(env, 'REFRESHD_PG_PREPARED_STATEMENTS', true),
    tokenHook: tokenHookFromEnv(env),
    managementTokenLifetimeSeconds: wholeNumber(env, 'REFRESHD_MANAGEMENT_TOKEN_LIFETIME', 86_400, 60, 86_400),
    signingWorkers: env.REFRESHD_SIGNING_WORKERS ? wholeNumber(env, 'REFRESHD_SIGNING_WORKERS', 0, 0, 16) : null,
    keyActivationDelaySeconds: wholeNumber(env, 'REFRESHD_KEY_ACTIVATION_DELAY_SECONDS', DEFAULT_KEY_ACTIVATION_DELAY_SECONDS, 0, MAX_KEY_ACTIVATION_DELAY_SECONDS),
    dpop: {
      iatWindowSeconds: wholeNumber(env, 'REFRESHD_DPOP_IAT_WINDOW_SECONDS', DPOP_DEFAULTS.iatWindowSeconds, 1, 3600),
      nonceStepSeconds: wholeNumber(env, 'REFRESHD_DPOP_NONCE_STEP_SECONDS', DPOP_DEFAULTS.nonceStepSeconds, 10, 3600),
      keyCacheSize: wholeNumber(env, 'REFRESHD_DPOP_KEY_CACHE_SIZE', DPOP_DEFAULTS.keyCacheSize, 0, 100_000),
    },
    keyCipher: env.REFRESHD_KEY_ENCRYPTION_KEY ? KeyCipher.fromSetting(env.REFRESHD_KEY_ENCRYPTION_KEY) : null,
  };
}

/** A warning for a webhook URL whose signed events would cross the network in clear, or null. */
export function webhookUrlWarning(url: string): string | null {
  const u = new URL(url);
  return u.protocol === 'http:' && !isLoopbackHost(u.hostname)
    ? 'REFRESHD_WEBHOOK_URL is plain http: to another host: security events cross the network unencrypted (use https:)'
    : null;
}

/** Auth0's Management API audience: `https://{domain}/api/v2/`, where domain is the issuer's host[:port]. */
export function managementAudienceFor(issuer: string): string {
  return `https://${new URL(issuer).host}/api/v2/`;
}

/**
 * The cleanup policy the environment asks for, on this store: statements are paced (gc.ts `stepTargetMs`) only
 * where they run on the event loop, SQLite's.
 */
export function gcPolicyOf(env: EnvConfig, dialect: StoreDialect) {
  return {
    retentionSeconds: env.gcRetentionSeconds,
    sessionStaleSeconds: env.sessionStaleSeconds,
    eventRetentionSeconds: env.eventRetentionSeconds,
    stepTargetMs: dialect === 'postgres' ? null : undefined,
  };
}
