import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadEnv } from '../../src/config/env.js';
import { normalizeConfig } from '../../src/config/load-config.js';
import { resolveTokenHook, tokenHookFromEnv, tokenHookUrlWarning } from '../../src/config/token-hook-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { newWebhookSecret } from '../../src/events/standard-webhooks.js';

const MGMT = 'https://127.0.0.1:3000/api/v2/';
const SECRET = newWebhookSecret();
const OTHER = newWebhookSecret();

describe('token_hook configuration', () => {
  test('the file\'s token_hook with defaults: deny on failure, both events, 5 s', () => {
    const file = normalizeConfig({ token_hook: { url: 'https://hooks.example.com/refreshd', secret: SECRET } }, MGMT).tokenHook;
    assert.deepEqual(resolveTokenHook(file, {}), {
      url: 'https://hooks.example.com/refreshd',
      secret: SECRET,
      timeoutMs: 5000,
      onFailure: 'deny',
      events: ['issuance', 'refresh'],
    });
  });

  test('each REFRESHD_TOKEN_HOOK_* variable overrides its field of the file', () => {
    const file = normalizeConfig({ token_hook: { url: 'https://a.example.com/h', secret: SECRET, timeout_ms: 800, on_failure: 'deny', events: ['issuance'] } }, MGMT).tokenHook;
    const env = loadEnv({
      REFRESHD_TOKEN_HOOK_URL: 'https://b.example.com/h?k=1',
      REFRESHD_TOKEN_HOOK_SECRET: OTHER,
      REFRESHD_TOKEN_HOOK_TIMEOUT_MS: '250',
      REFRESHD_TOKEN_HOOK_ON_FAILURE: 'allow',
      REFRESHD_TOKEN_HOOK_EVENTS: 'refresh,issuance',
    });
    assert.deepEqual(resolveTokenHook(file, env.tokenHook), {
      url: 'https://b.example.com/h?k=1',
      secret: OTHER,
      timeoutMs: 250,
      onFailure: 'allow',
      events: ['refresh', 'issuance'],
    });
    // The environment alone is enough (the secret kept out of the file).
    assert.equal(resolveTokenHook(undefined, tokenHookFromEnv({ REFRESHD_TOKEN_HOOK_URL: 'http://127.0.0.1:9/h', REFRESHD_TOKEN_HOOK_SECRET: SECRET }))?.url, 'http://127.0.0.1:9/h');
    assert.equal(resolveTokenHook(undefined, {}), null);
  });

  test('bad settings fail at boot in one line naming the field, never echoing the secret', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => resolveTokenHook({ secret: SECRET }, {}), /token_hook: url is required/],
      [() => resolveTokenHook({ url: 'https://x.example.com' }, {}), /token_hook: secret is required/],
      [() => resolveTokenHook({ url: 'ftp://x.example.com', secret: SECRET }, {}), /url must be an http\(s\) URL/],
      [() => resolveTokenHook({ url: 'not a url', secret: SECRET }, {}), /url is not an absolute URL/],
      [() => resolveTokenHook({ url: 'https://x.example.com', secret: 'hunter2-plain-secret' }, {}), /secret expected a Standard Webhooks secret/],
      [() => resolveTokenHook({ url: 'https://x.example.com', secret: 'whsec_c2hvcnQ=' }, {}), /secret the secret must decode to 24-64 bytes, got 5/],
      [() => loadEnv({ REFRESHD_TOKEN_HOOK_TIMEOUT_MS: '0' }), /REFRESHD_TOKEN_HOOK_TIMEOUT_MS: expected a whole number 50-30000/],
      [() => loadEnv({ REFRESHD_TOKEN_HOOK_ON_FAILURE: 'maybe' }), /REFRESHD_TOKEN_HOOK_ON_FAILURE: expected deny or allow/],
      [() => loadEnv({ REFRESHD_TOKEN_HOOK_EVENTS: 'issuance,login' }), /REFRESHD_TOKEN_HOOK_EVENTS: expected a comma-separated list/],
      [() => normalizeConfig({ token_hook: { url: 'https://x.example.com', on_failure: 'sometimes' } }, MGMT, 'cfg'), /^cfg \/token_hook\/on_failure: /],
      [() => normalizeConfig({ token_hook: { url: 'https://x.example.com', secret: 'whsec_!!!!' } }, MGMT, 'cfg'), /^cfg \/token_hook\/secret: /],
      [() => normalizeConfig({ token_hook: { url: 'https://x.example.com', retries: 3 } }, MGMT, 'cfg'), /^cfg \/token_hook/],
    ];
    for (const [fn, message] of bad) {
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, message);
        assert.ok(!err.message.includes('hunter2'), 'the secret is never echoed');
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
  });

  test('plain http to another host draws a warning; loopback and https do not', () => {
    assert.match(tokenHookUrlWarning('http://hooks.internal:8080/h') ?? '', /plain http/);
    assert.equal(tokenHookUrlWarning('http://127.0.0.1:8080/h'), null);
    assert.equal(tokenHookUrlWarning('https://hooks.example.com/h'), null);
  });
});
