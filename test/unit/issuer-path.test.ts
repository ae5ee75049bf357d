import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawRequestDefaultExpression } from 'fastify';
import { issuerPathRewrite } from '../../src/http/issuer-path.js';

const rewrite = (issuer: string, url: string) => {
  const fn = issuerPathRewrite(issuer);
  return fn ? fn({ url } as RawRequestDefaultExpression) : url;
};

test('a host-only issuer rewrites nothing', () => {
  assert.equal(issuerPathRewrite('https://auth.example.com/'), undefined);
});

test('requests under the issuer path reach the root routes; the RFC 8414 path form reaches discovery', () => {
  const issuer = 'https://auth.example.com/t1/';
  for (const [url, expected] of [
    ['/t1/oauth/token', '/oauth/token'],
    ['/t1/.well-known/jwks.json', '/.well-known/jwks.json'],
    ['/t1/api/v2/refresh-tokens?user_id=x', '/api/v2/refresh-tokens?user_id=x'],
    ['/.well-known/oauth-authorization-server/t1', '/.well-known/oauth-authorization-server'],
    ['/.well-known/oauth-authorization-server/t1/', '/.well-known/oauth-authorization-server'],
    ['/.well-known/openid-configuration/t1?x=1', '/.well-known/openid-configuration?x=1'],
    ['/oauth/token', '/oauth/token'],
    ['/t10/oauth/token', '/t10/oauth/token'],
    ['/.well-known/oauth-authorization-server/t2', '/.well-known/oauth-authorization-server/t2'],
  ] as const) {
    assert.equal(rewrite(issuer, url), expected, url);
  }
  assert.equal(rewrite('https://auth.example.com/a/b', '/a/b/oauth/token'), '/oauth/token');
});
