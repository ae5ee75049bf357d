import { ConfigError } from '../core/errors.js';
import { isLoopbackHost } from '../core/hosts.js';
import { webhookSecretProblem } from '../events/standard-webhooks.js';
import type { TokenHookEventName } from '../hooks/token-hook-schema.js';
import { DEFAULT_TOKEN_HOOK_POLICY } from '../hooks/token-hook.js';
import type { TokenHookConfig } from './file-schema.js';

/** The token hook as the server runs it: the file's `token_hook`, each field overridable from the environment. */
export interface TokenHookSettings {
  url: string;
  secret: string;
  timeoutMs: number;
  onFailure: 'deny' | 'allow';
  events: TokenHookEventName[];
}

/** The REFRESHD_TOKEN_HOOK_* variables, in the file's field names; absent ones leave the file's value. */
export function tokenHookFromEnv(env: NodeJS.ProcessEnv): TokenHookConfig {
  const out: TokenHookConfig = {};
  if (env.REFRESHD_TOKEN_HOOK_URL) out.url = env.REFRESHD_TOKEN_HOOK_URL;
  if (env.REFRESHD_TOKEN_HOOK_SECRET) out.secret = env.REFRESHD_TOKEN_HOOK_SECRET;
  const timeout = env.REFRESHD_TOKEN_HOOK_TIMEOUT_MS;
  if (timeout) {
    if (!/^\d{1,5}$/.test(timeout) || Number(timeout) < 50 || Number(timeout) > 30_000) {
      throw new ConfigError(`REFRESHD_TOKEN_HOOK_TIMEOUT_MS: expected a whole number 50-30000, got "${timeout.slice(0, 20)}"`);
    }
    out.timeout_ms = Number(timeout);
  }
  const onFailure = env.REFRESHD_TOKEN_HOOK_ON_FAILURE;
  if (onFailure) {
    if (onFailure !== 'deny' && onFailure !== 'allow') throw new ConfigError('REFRESHD_TOKEN_HOOK_ON_FAILURE: expected deny or allow');
    out.on_failure = onFailure;
  }
  const events = env.REFRESHD_TOKEN_HOOK_EVENTS;
  if (events) {
    const list = events.split(',').map((e) => e.trim());
    if (list.some((e) => e !== 'issuance' && e !== 'refresh') || new Set(list).size !== list.length) {
      throw new ConfigError('REFRESHD_TOKEN_HOOK_EVENTS: expected a comma-separated list of issuance, refresh');
    }
    out.events = list as TokenHookEventName[];
  }
  return out;
}

/**
 * The settings from the file's `token_hook` with the environment's over them; null when neither names a URL.
 * `where` names the source in errors. Never echoes the secret.
 */
export function resolveTokenHook(file: TokenHookConfig | undefined, fromEnv: TokenHookConfig, where = 'token_hook'): TokenHookSettings | null {
  const merged: TokenHookConfig = { ...file, ...fromEnv };
  if (merged.url === undefined) {
    if (file !== undefined || Object.keys(fromEnv).length > 0) throw new ConfigError(`${where}: url is required (or REFRESHD_TOKEN_HOOK_URL)`);
    return null;
  }
  let url: URL;
  try {
    url = new URL(merged.url);
  } catch {
    throw new ConfigError(`${where}: url is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${where}: url must be an http(s) URL`);
  if (url.hash) throw new ConfigError(`${where}: url must not have a fragment`);
  if (merged.secret === undefined) throw new ConfigError(`${where}: secret is required (or REFRESHD_TOKEN_HOOK_SECRET)`);
  const problem = webhookSecretProblem(merged.secret);
  if (problem) throw new ConfigError(`${where}: secret ${problem}`);
  return {
    url: url.href,
    secret: merged.secret,
    timeoutMs: merged.timeout_ms ?? DEFAULT_TOKEN_HOOK_POLICY.timeoutMs,
    onFailure: merged.on_failure ?? DEFAULT_TOKEN_HOOK_POLICY.onFailure,
    events: [...(merged.events ?? DEFAULT_TOKEN_HOOK_POLICY.events)],
  };
}

/** A warning for a hook URL whose signed events (user ids, claims) would cross the network in clear, or null. */
export function tokenHookUrlWarning(url: string): string | null {
  const u = new URL(url);
  return u.protocol === 'http:' && !isLoopbackHost(u.hostname)
    ? 'the token hook URL is plain http: to another host: events (user ids, claims) cross the network unencrypted (use https:)'
    : null;
}
